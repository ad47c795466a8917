from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.progress import progress_bar
from graph.resync import resync_graph
from graph.sync import MACHINES_PER_TRANSACTION


class Command(BaseCommand):
    help = (
        "Rebuild the catalogue graph from PostgreSQL: taxonomy, models with their specs, every visible "
        "machine with its effective specs; remove nodes whose rows are gone. Changes committed meanwhile "
        "are queued again for the outbox worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=MACHINES_PER_TRANSACTION, help="Machines per transaction."
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if not 1 <= batch_size <= 20_000:
            raise CommandError("--batch-size must be between 1 and 20000")
        try:
            with progress_bar("graph", "machine", enabled=options["verbosity"] > 0) as progress:
                result = resync_graph(batch_size=batch_size, on_progress=progress)
        except Exception as error:
            raise CommandError(f"graph resync failed: {type(error).__name__}: {error}") from error
        self.stdout.write(
            f"wrote {result.machines} machines to the graph in {result.seconds:.1f} s; removed {result.removed} "
            f"stale node(s); {result.replayed_events} concurrent change(s) queued for the worker"
        )
