from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.progress import progress_bar
from search.reindex import reindex_machines


class Command(BaseCommand):
    help = "Rebuild the machine index into a new versioned index and swap the alias atomically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000")
        try:
            with progress_bar("reindex", "doc", enabled=options["verbosity"] > 0) as progress:
                result = reindex_machines(batch_size=batch_size, on_progress=progress)
        except Exception as error:
            raise CommandError(
                f"reindex failed, the alias still points at the old index: {type(error).__name__}: {error}"
            ) from error
        self.stdout.write(
            f"indexed {result.documents} machines into {result.index} in {result.seconds:.1f} s; "
            f"{result.replayed_events} concurrent change(s) queued for the worker"
        )
