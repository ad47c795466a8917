"""The outbox worker's alerts topic (`manage.py outbox_worker`): what happened in the
marketplace, read after it committed, told to the people who asked to know. Each handler
must be idempotent: a batch that fails is handed over again, and `notify`'s dedupe keys make
a second telling impossible."""

from __future__ import annotations

from collections.abc import Callable

from alerts import listing_alerts
from marketplace.outbox import OutboxRow


def apply_events(rows: list[OutboxRow]) -> None:
    for row in rows:
        HANDLERS.get(row.entity, _ignore)(row)
    # then what is better done for the whole batch at once (one percolate request for a burst
    # of listings), after the rows above (a saved search changed in the batch is in place)
    for entity, handle in BATCH_HANDLERS.items():
        batch = [row for row in rows if row.entity == entity]
        if batch:
            handle(batch)


def _ignore(row: OutboxRow) -> None:
    """Something no one is told about (yet): drained, not kept."""


def _saved_search(row: OutboxRow) -> None:
    """A saved search created, changed or deleted: its percolator document follows its row."""
    from alerts.percolator import sync_saved_searches

    sync_saved_searches([row.entity_id])


HANDLERS: dict[str, Callable[[OutboxRow], None]] = {
    "saved_search": _saved_search,
    "machine_price_changed": listing_alerts.machine_price_changed,
    "machine_sold": listing_alerts.machine_sold,
    "enquiry_message": listing_alerts.enquiry_message,
}


def _published(rows: list[OutboxRow]) -> None:
    from alerts.matching import machines_published

    machines_published(rows)


def _price_changed(rows: list[OutboxRow]) -> None:
    from alerts.matching import machine_prices_changed

    machine_prices_changed(rows)


BATCH_HANDLERS: dict[str, Callable[[list[OutboxRow]], None]] = {
    "machine_published": _published,  # saved searches (alerts/matching.py)
    "machine_price_changed": _price_changed,  # saved searches, when it dropped
}
