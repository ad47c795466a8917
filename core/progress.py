"""A progress bar for long management commands whose work reports `(done, total)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
