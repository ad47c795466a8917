"""Zero-downtime rebuild: fill a new versioned index while queries keep reading the alias,
then move the alias in one atomic `_aliases` call and drop the old index.

Changes committed while the new index is being filled are not lost: the outbox position is
noted before the copy starts, and every search event after it is made pending again once
the alias points at the new index, so the worker re-applies them there (idempotently)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from elasticsearch import helpers

from search.client import get_client
from search.documents import SEARCHABLE_STATUSES
from search.indices import MACHINES, alias_name, create_versioned_index
from search.sync import _category_chains, machine_actions


@dataclass(frozen=True)
class ReindexResult:
    index: str
    documents: int
    replayed_events: int
    seconds: float


def reindex_machines(*, batch_size: int = 1000, on_progress: Callable[[int, int], None] | None = None) -> ReindexResult:
    from marketplace.models import Machine
    from marketplace.outbox import last_event_id, replay_since

    started = time.perf_counter()
    client = get_client()
    alias = alias_name(MACHINES)
    mark = last_event_id("search")
    new_index = create_versioned_index(MACHINES)
    client.indices.put_settings(index=new_index, body={"index": {"refresh_interval": "-1"}})
    ids = list(Machine.objects.filter(status__in=SEARCHABLE_STATUSES).order_by("pk").values_list("pk", flat=True))
    chains = _category_chains()
    done = 0
    try:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            helpers.bulk(client, machine_actions(chunk, new_index, chains), chunk_size=batch_size, request_timeout=120)
            done += len(chunk)
            if on_progress:
                on_progress(done, len(ids))
        client.indices.put_settings(index=new_index, body={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=new_index)
    except Exception:
        client.indices.delete(index=new_index, ignore=[404])
        raise
    old_indices = list(client.indices.get_alias(name=alias, ignore=[404]).keys()) if client.indices.exists_alias(name=alias) else []
    actions = [{"remove": {"index": old, "alias": alias}} for old in old_indices]
    actions.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(body={"actions": actions})
    for old in old_indices:
        client.indices.delete(index=old, ignore=[404])
    replayed = replay_since("search", mark)
    return ReindexResult(new_index, done, replayed, time.perf_counter() - started)
