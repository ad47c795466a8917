"""Long management commands: a progress bar for work that reports `(done, total)`, and the
shape of the commands that rebuild a projection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm


@contextmanager
def progress_bar(
    description: str, unit: str, *, enabled: bool = True
) -> Iterator[Callable[[int, int], None]]:
    bar = tqdm(total=0, unit=unit, desc=description, disable=not enabled)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


class RebuildCommand(BaseCommand):
    """A projection rebuilt from PostgreSQL in batches (the search index, the graph): a
    bounded `--batch-size`, a progress bar, one line of result, and one readable line when
    it fails. A subclass names its bar and says what `rebuild` did in `summary`."""

    default_batch_size = 1000
    max_batch_size = 10_000
    progress: tuple[str, str] = ("rebuild", "item")  # the bar's description and unit
    failure = "rebuild failed"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=self.default_batch_size,
            help=f"Rows per batch (1 to {self.max_batch_size}; default {self.default_batch_size}).",
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if not 1 <= batch_size <= self.max_batch_size:
            raise CommandError(f"--batch-size must be between 1 and {self.max_batch_size}")
        try:
            with progress_bar(*self.progress, enabled=options["verbosity"] > 0) as on_progress:
                result = self.rebuild(batch_size=batch_size, on_progress=on_progress)
        except Exception as error:
            raise CommandError(f"{self.failure}: {type(error).__name__}: {error}") from error
        self.stdout.write(self.summary(result))

    def rebuild(self, *, batch_size: int, on_progress: Callable[[int, int], None]) -> Any:
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        raise NotImplementedError
