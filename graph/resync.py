"""Rebuilding the whole graph from PostgreSQL: the taxonomy, every model with its catalogue
specs, every visible machine with its effective specs, every model's cohorts, and the
removal of nodes whose rows are gone (or, for machines, no longer visible).

Changes committed while the rebuild runs are not lost: the outbox position of the `graph`
topic is noted before anything is read, and every graph event after it is made pending
again at the end, so the worker re-applies them (idempotently) over the rebuilt graph.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from neo4j.exceptions import ConstraintError

from graph import writes
from graph.client import run_in_transaction, run_query
from graph.rows import MachineBatch, load_taxonomy, machine_batch
from graph.schema import ensure_schema
from graph.sync import (
    MACHINES_PER_TRANSACTION,
    chunked,
    machine_statements,
    taxonomy_statements,
    write_cohorts,
)
from graph.versions import bump_projection_version
from graph.writes import statement
from marketplace.models.machines import SEARCHABLE_STATUSES


@dataclass(frozen=True)
class ResyncResult:
    machines: int
    removed: int
    replayed_events: int
    seconds: float


def _graph_ids(label: str) -> set[int]:
    return {row["id"] for row in run_query(writes.node_ids(label))}


def _remove_stale(label: str, keep: set[int]) -> int:
    stale = _graph_ids(label) - keep
    for chunk in chunked(stale, 10_000):
        cohorts = [statement(writes.delete_model_cohorts(), chunk)] if label == "Model" else []
        run_in_transaction([*cohorts, statement(writes.delete_nodes(label), chunk)])
    return len(stale)


def _write_batch(batch: MachineBatch, in_graph: set[int]) -> int:
    """Machines not in the graph when the rebuild started are CREATEd, which is much cheaper
    than MERGE; if one appeared meanwhile (the outbox worker wrote it), the constraint on
    Machine.id fails the transaction and the batch is merged instead."""
    new = [row for row in batch.rows if row["id"] not in in_graph]
    if not new:
        run_in_transaction(machine_statements(batch))
        return len(batch.rows)
    existing = MachineBatch([row for row in batch.rows if row["id"] in in_graph], batch.removed)
    try:
        run_in_transaction([statement(writes.create_machines(), new), *machine_statements(existing)])
    except ConstraintError:
        run_in_transaction(machine_statements(batch))
    return len(batch.rows)


def resync_graph(
    *, batch_size: int = MACHINES_PER_TRANSACTION, on_progress: Callable[[int, int], None] | None = None
) -> ResyncResult:
    from marketplace.models import Machine
    from marketplace.outbox import last_event_id, replay_since

    started = time.perf_counter()
    mark = last_event_id("graph")
    ensure_schema()
    taxonomy = load_taxonomy()
    run_in_transaction(taxonomy_statements(taxonomy))
    ids = set(Machine.objects.filter(status__in=SEARCHABLE_STATUSES).values_list("pk", flat=True))
    in_graph = _graph_ids("Machine")
    written = done = 0
    # Rows are read and built on this thread (the ORM stays on its connection) while one writer
    # thread sends the previous batch, so PostgreSQL, Python and Neo4j work at the same time.
    with ThreadPoolExecutor(max_workers=1) as writer:
        in_flight: deque[Future[int]] = deque()
        for chunk in chunked(ids, batch_size):
            in_flight.append(writer.submit(_write_batch, machine_batch(chunk, taxonomy), in_graph))
            if len(in_flight) >= 2:
                written += in_flight.popleft().result()
                done += len(chunk)
                if on_progress:
                    on_progress(done, len(ids))
        while in_flight:
            written += in_flight.popleft().result()
        if on_progress:
            on_progress(len(ids), len(ids))
    removed = _remove_stale("Machine", ids)
    removed += _remove_stale("Model", set(taxonomy.models))
    write_cohorts()
    removed += _remove_stale("Maker", set(taxonomy.makers))
    removed += _remove_stale("Category", set(taxonomy.categories))
    removed += _remove_stale("Spec", set(taxonomy.specs))
    removed += _remove_stale("SpecCategory", set(taxonomy.spec_categories))
    replayed = replay_since("graph", mark)
    bump_projection_version()
    return ResyncResult(written, removed, replayed, time.perf_counter() - started)
