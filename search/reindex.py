"""Zero-downtime rebuild: fill a new versioned index while queries keep reading the alias,
then move the alias in one atomic `_aliases` call and drop the old index.

Changes committed while the new index is being filled are not lost: the outbox position is
noted before the copy starts, and every search event after it is made pending again once
the alias points at the new index, so the worker re-applies them there (idempotently)."""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from elasticsearch import helpers

from graph.versions import bump_projection_version
from marketplace.models.machines import SEARCHABLE_STATUSES
from search.client import get_client
from search.indices import MACHINES, alias_name, create_versioned_index
from search.sync import category_chains, is_missing_delete, machine_actions


@dataclass(frozen=True)
class ReindexResult:
    index: str
    documents: int
    replayed_events: int
    seconds: float


def _send(client: Any, actions: list[dict[str, Any]]) -> int:
    """One bulk request; a listing deleted meanwhile (delete of a missing id) is not an error."""
    _, errors = helpers.bulk(
        client,
        actions,
        chunk_size=len(actions) or 1,
        request_timeout=BULK_TIMEOUT_SECONDS,
        raise_on_error=False,
    )
    failures = [error for error in errors if not is_missing_delete(error)]  # type: ignore[union-attr]
    if failures:
        raise RuntimeError(f"{len(failures)} documents failed: {failures[:3]}")
    return len(actions)


BULK_TIMEOUT_SECONDS = 120  # bulk loads and the refresh after them (the client's default is a query's)
# Bulk requests being analysed while the next batch is built (three measured no faster).
IN_FLIGHT = 2


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Building 100,000 documents allocates millions of short-lived objects, and each full
    collection walked every long-lived one (the modules, the ORM): about a quarter of the
    build's CPU. Long-lived objects are frozen out of the collector's view and young
    generations collected less often meanwhile; refcounting still frees the documents."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def reindex_machines(
    *, batch_size: int = 1000, on_progress: Callable[[int, int], None] | None = None
) -> ReindexResult:
    from marketplace.models import Machine
    from marketplace.outbox import last_event_id, replay_since

    started = time.perf_counter()
    client = get_client()
    alias = alias_name(MACHINES)
    mark = last_event_id("search")
    new_index = create_versioned_index(MACHINES)
    # While filling: no refreshes and no fsync per request; restored before the alias moves.
    client.indices.put_settings(
        index=new_index, body={"index": {"refresh_interval": "-1", "translog.durability": "async"}}
    )
    ids = list(
        Machine.objects.filter(status__in=SEARCHABLE_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    chains = category_chains()
    done = 0
    try:
        # Documents are built here (the ORM stays on this thread and its connection) while up
        # to IN_FLIGHT bulk requests are being analysed.
        with fewer_collections(), ThreadPoolExecutor(max_workers=IN_FLIGHT) as senders:
            in_flight: deque[Future[int]] = deque()
            for start in range(0, len(ids), batch_size):
                chunk = ids[start : start + batch_size]
                actions = list(machine_actions(chunk, new_index, chains))
                in_flight.append(senders.submit(_send, client, actions))
                if len(in_flight) >= IN_FLIGHT:
                    done += in_flight.popleft().result()
                    if on_progress:
                        on_progress(done, len(ids))
            while in_flight:
                done += in_flight.popleft().result()
                if on_progress:
                    on_progress(done, len(ids))
        client.indices.put_settings(
            index=new_index,
            body={"index": {"refresh_interval": "1s", "translog.durability": "request"}},
            request_timeout=BULK_TIMEOUT_SECONDS,
        )
        # The first refresh writes every buffered document out: seconds, not a query's time.
        client.indices.refresh(index=new_index, request_timeout=BULK_TIMEOUT_SECONDS)
    except Exception:
        client.indices.delete(index=new_index, ignore=[404])
        raise
    old_indices = (
        list(client.indices.get_alias(name=alias, ignore=[404]).keys())
        if client.indices.exists_alias(name=alias)
        else []
    )
    alias_actions = [{"remove": {"index": old, "alias": alias}} for old in old_indices]
    alias_actions.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(body={"actions": alias_actions})
    for old in old_indices:
        client.indices.delete(index=old, ignore=[404])
    replayed = replay_since("search", mark)
    bump_projection_version()
    return ReindexResult(new_index, done, replayed, time.perf_counter() - started)
