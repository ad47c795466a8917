from __future__ import annotations

from typing import Any

from django.db import connection

from marketplace.models import OutboxEvent

TOPICS = ("search", "graph")
ALERTS_TOPIC = "alerts"
NOTIFY_CHANNEL = "marketplace_outbox"


def outbox_enqueue(*, entity: str, entity_ids: list[int] | tuple[int, ...]) -> None:
    """Announce changed rows to every projection. Call inside the transaction that changes
    them: the events commit or roll back with the change. PostgreSQL delivers the NOTIFY only
    at commit, so workers wake for committed work and never for a rolled-back one."""
    if not entity_ids:
        return
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(topic=topic, entity=entity, entity_id=entity_id)
            for topic in TOPICS
            for entity_id in entity_ids
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, entity])


def outbox_alert(*, happened: str, entity_id: int, payload: dict[str, Any] | None = None) -> None:
    """Announce something people may be told about (`machine_published`, `machine_price_changed`,
    `machine_sold`, `enquiry_message`) to the alerts, which read it after commit with what it
    carries in `payload` (an old price: the row keeps only the new one). Call inside the
    transaction that made it happen: it is told exactly when that commits."""
    OutboxEvent.objects.create(
        topic=ALERTS_TOPIC, entity=happened, entity_id=entity_id, payload=payload or {}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, happened])
