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


def _ignore(row: OutboxRow) -> None:
    """Something no one is told about (yet): drained, not kept."""


HANDLERS: dict[str, Callable[[OutboxRow], None]] = {
    # "machine_published": saved searches (alerts/matching.py)
    # "machine_price_changed": saved searches and watchers
    "machine_price_changed": listing_alerts.machine_price_changed,
    "machine_sold": listing_alerts.machine_sold,
    "enquiry_message": listing_alerts.enquiry_message,
}
