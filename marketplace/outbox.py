"""Draining the transactional outbox (see marketplace/models/outbox.py).

A batch is claimed with SELECT … FOR UPDATE SKIP LOCKED, so several workers can drain the
same topic without taking the same rows; the projection is applied while the rows stay
locked, and they are marked done in the same transaction. If the projection fails (its engine
is down), the transaction rolls back: the rows stay pending and are retried, and the failure
is recorded on them. Projections re-read the current rows, so applying an event twice or out
of order converges to the same state.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from marketplace.models import OutboxEvent

logger = logging.getLogger(__name__)

# A projection receives {entity: {ids}} for one batch and must apply all of it or raise.
Projection = Callable[[dict[str, set[int]]], None]


@dataclass(frozen=True)
class OutboxRow:
    entity: str
    entity_id: int
    payload: dict[str, Any]
    event_id: int = 0  # the outbox row's own id: what happened, once (a price changed twice is two)


# A row handler receives one batch's rows in order (the alerts need each one and its payload).
RowHandler = Callable[[list[OutboxRow]], None]


def by_entity(projection: Projection) -> RowHandler:
    """A projection that only needs which rows changed, as a row handler."""

    def handle(rows: list[OutboxRow]) -> None:
        changes: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            changes[row.entity].add(row.entity_id)
        projection(dict(changes))

    return handle


@dataclass(frozen=True)
class DrainResult:
    processed: int
    failed: bool
    error: str = ""


def drain(
    topic: str, projection: Projection, *, batch_size: int = 500, max_batches: int | None = None
) -> DrainResult:
    return drain_rows(topic, by_entity(projection), batch_size=batch_size, max_batches=max_batches)


def drain_rows(
    topic: str, handler: RowHandler, *, batch_size: int = 500, max_batches: int | None = None
) -> DrainResult:
    processed = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        events: list[tuple[int, str, int, dict[str, Any]]] = []
        try:
            with transaction.atomic():
                events = list(
                    OutboxEvent.objects.select_for_update(skip_locked=True)
                    .filter(topic=topic, processed_at__isnull=True)
                    .order_by("id")
                    .values_list("id", "entity", "entity_id", "payload")[:batch_size]
                )
                if not events:
                    return DrainResult(processed, failed=False)
                handler(
                    [OutboxRow(entity, entity_id, payload, pk) for pk, entity, entity_id, payload in events]
                )
                OutboxEvent.objects.filter(pk__in=[event[0] for event in events]).update(
                    processed_at=timezone.now()
                )
        except Exception as error:  # the engine behind the projection is down or refused the batch
            message = f"{type(error).__name__}: {error}"[:2000]
            logger.warning("outbox %s: batch failed, will retry: %s", topic, message)
            OutboxEvent.objects.filter(pk__in=[event[0] for event in events]).update(
                attempts=F("attempts") + 1, last_error=message
            )
            return DrainResult(processed, failed=True, error=message)
        processed += len(events)
    return DrainResult(processed, failed=False)


def pending_count(topic: str) -> int:
    return OutboxEvent.objects.filter(topic=topic, processed_at__isnull=True).count()


def last_event_id(topic: str) -> int:
    return OutboxEvent.objects.filter(topic=topic).order_by("-id").values_list("id", flat=True).first() or 0


def replay_since(topic: str, event_id: int) -> int:
    """Mark every event of `topic` after `event_id` pending again (a rebuilt projection must
    see the changes that happened while it was being built)."""
    return OutboxEvent.objects.filter(topic=topic, pk__gt=event_id).update(processed_at=None)


def purge_processed(older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = OutboxEvent.objects.filter(processed_at__lt=timezone.now() - older_than).delete()
    return deleted
