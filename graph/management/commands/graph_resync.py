from __future__ import annotations

from collections.abc import Callable

from core.progress import RebuildCommand
from graph.resync import ResyncResult, resync_graph
from graph.sync import MACHINES_PER_TRANSACTION


class Command(RebuildCommand):
    help = (
        "Rebuild the catalogue graph from PostgreSQL: taxonomy, models with their specs, every visible "
        "machine with its effective specs; remove nodes whose rows are gone. Changes committed meanwhile "
        "are queued again for the outbox worker."
    )
    default_batch_size = MACHINES_PER_TRANSACTION
    max_batch_size = 20_000
    progress = ("graph", "machine")
    failure = "graph resync failed"

    def rebuild(self, *, batch_size: int, on_progress: Callable[[int, int], None]) -> ResyncResult:
        return resync_graph(batch_size=batch_size, on_progress=on_progress)

    def summary(self, result: ResyncResult) -> str:
        return (
            f"wrote {result.machines} machines to the graph in {result.seconds:.1f} s; removed {result.removed} "
            f"stale node(s); {result.replayed_events} concurrent change(s) queued for the worker"
        )
