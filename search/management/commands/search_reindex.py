from __future__ import annotations

from collections.abc import Callable

from core.progress import RebuildCommand
from search.reindex import ReindexResult, reindex_machines


class Command(RebuildCommand):
    help = "Rebuild the machine index into a new versioned index and swap the alias atomically."
    progress = ("reindex", "doc")
    failure = "reindex failed, the alias still points at the old index"

    def rebuild(self, *, batch_size: int, on_progress: Callable[[int, int], None]) -> ReindexResult:
        return reindex_machines(batch_size=batch_size, on_progress=on_progress)

    def summary(self, result: ReindexResult) -> str:
        return (
            f"indexed {result.documents} machines into {result.index} in {result.seconds:.1f} s; "
            f"{result.replayed_events} concurrent change(s) queued for the worker"
        )
