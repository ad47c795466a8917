"""Garbage that cycles keep alive is collected before it can pile up.

The server collects its young generations in large steps and full collections rarely
(core/server.py): a full collection walks every object of every open socket and stalls them
all. But a request's objects form reference cycles (an ORM instance and its prefetched
relations point at each other; a serializer and its fields), and whatever is still in flight
when a young collection runs is promoted to the old generation, where it waits for a full
collection. With many requests in flight that is most of them: a server process grew with
every page of listings it served, without bound (the figures are in docs/benchmarks.md).

`MemoryGovernor` bounds it by the process's own size instead of by allocation counts: after a
request, when the resident memory has grown by more than a step since the last full
collection, it collects fully. Memory the process really needs keeps it larger (the next step
is counted from what remains after collecting); garbage never adds more than a step."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import time

logger = logging.getLogger(__name__)

_PAGE = os.sysconf("SC_PAGE_SIZE")
CHECK_INTERVAL = 0.05  # seconds between two readings of the resident size


def _malloc_trim() -> None:
    """Hand the C allocator's free memory back to the system (glibc's malloc_trim), so that the
    resident size says what the process holds, not what it once held."""
    if _libc is not None:
        _libc.malloc_trim(0)


_libc_name = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_libc_name) if _libc_name else None
if _libc is not None and not hasattr(_libc, "malloc_trim"):  # not glibc
    _libc = None


def resident_bytes() -> int:
    """The process's resident set size, from /proc/self/statm (a few microseconds)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


class MemoryGovernor:
    def __init__(self, *, step_bytes: int) -> None:
        self.step = step_bytes
        self.base: int | None = None
        self.checked = 0.0
        self.collections = 0

    def check(self) -> bool:
        """Collect fully if the resident size grew by more than a step; True if it did."""
        now = time.monotonic()
        if now - self.checked < CHECK_INTERVAL:
            return False
        self.checked = now
        resident = resident_bytes()
        if self.base is None:
            self.base = resident
            return False
        if resident <= self.base + self.step:
            return False
        started = time.perf_counter()
        freed = gc.collect()
        _malloc_trim()
        grown = resident - self.base
        self.base = resident_bytes()
        self.collections += 1
        logger.info(
            "full collection after %.0f MB of growth: %s objects freed in %.0f ms, %.0f MB resident",
            grown / 2**20,
            freed,
            (time.perf_counter() - started) * 1000,
            self.base / 2**20,
        )
        return True
