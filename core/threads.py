"""Thread pools shared by a process, built on first use (never at import time) and kept for
its life: work a request runs side by side, such as a search page fetched while the graph
counts, or several Cypher queries of one facet computation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}


def shared_pool(name: str, *, workers: int) -> ThreadPoolExecutor:
    """The process's pool called `name` (its threads are named after it)."""
    with _lock:
        pool = _pools.get(name)
        if pool is None:
            pool = _pools[name] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        return pool
