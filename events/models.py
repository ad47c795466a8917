"""The events' tables. `events_event` (every event, append-only, partitioned by month of the
event's time) is created by SQL in the migration: Django models neither partitions nor
composite keys, and nothing writes it but the sink. Read it through the views of schema
`events` (`events.buyer_placed_bid`…, `events/sql.py`)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class EventOutbox(models.Model):
    """An event committed with the business write that made it, until the sink moves it on."""

    event = models.JSONField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "events_outbox"

    def __str__(self) -> str:
        return f"{self.event.get('name')} {self.event.get('event_id')}"
