from __future__ import annotations

from django.db import connection

from marketplace.models import OutboxEvent

TOPICS = ("search", "graph")
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
