from __future__ import annotations

from collections.abc import Callable

from alerts.percolator import alias, rebuild_percolator_index
from core.progress import RebuildCommand


class Command(RebuildCommand):
    help = "Rebuild the saved searches' percolator index from PostgreSQL into a new versioned index and swap the alias."
    progress = ("saved searches", "search")
    failure = "rebuild failed, the alias still points at the old index"

    def rebuild(self, *, batch_size: int, on_progress: Callable[[int, int], None]) -> int:
        return rebuild_percolator_index(batch_size=batch_size, on_progress=on_progress)

    def summary(self, result: int) -> str:
        return f"indexed {result} saved searches into {alias()}"
