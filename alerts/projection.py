"""The outbox worker's alerts topic (`manage.py outbox_worker`): what happened in the
marketplace, read after it committed, told to the people who asked to know. Each handler
must be idempotent: a batch that fails is handed over again, and `notify`'s dedupe keys make
a second telling impossible."""

from __future__ import annotations

from collections.abc import Callable

from alerts import listing_alerts
from alerts.matching import machine_prices_changed, machines_published
from alerts.percolator import sync_saved_searches
from marketplace.outbox import OutboxRow


def apply_events(rows: list[OutboxRow]) -> None:
    for row in rows:
        HANDLERS.get(row.entity, _ignore)(row)
    # then what is better done for the whole batch at once (one percolate request for a burst
    # of listings, one rewrite of the percolator for its saved searches)
    for entity, handle in BATCH_HANDLERS.items():
        batch = [row for row in rows if row.entity == entity]
        if batch:
            handle(batch)


def _ignore(row: OutboxRow) -> None:
    """Something no one is told about (yet): drained, not kept."""


def _saved_searches(rows: list[OutboxRow]) -> None:
    """Saved searches created, changed or deleted: their percolator documents follow their rows."""
    sync_saved_searches([row.entity_id for row in rows])


HANDLERS: dict[str, Callable[[OutboxRow], None]] = {
    "machine_price_changed": listing_alerts.machine_price_changed,
    "machine_sold": listing_alerts.machine_sold,
    "enquiry_message": listing_alerts.enquiry_message,
}

# in this order: the batch's saved searches are in the percolator before its listings meet them
BATCH_HANDLERS: dict[str, Callable[[list[OutboxRow]], None]] = {
    "saved_search": _saved_searches,
    "machine_published": machines_published,  # saved searches (alerts/matching.py)
    "machine_price_changed": machine_prices_changed,  # saved searches, when it dropped
}
