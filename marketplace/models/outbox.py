"""The transactional outbox: a row written in the same PostgreSQL transaction as the change it
announces, so the search index and the graph learn of exactly the committed changes.

Workers (search/graph) drain their topic with SELECT … FOR UPDATE SKIP LOCKED, apply the
change idempotently (they re-read the current row, so order and repeats do not matter) and
mark the rows done. If an engine is down the rows wait; nothing is lost.
"""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    topic = models.CharField(max_length=16, help_text="Which projection consumes it: search, graph or alerts")
    entity = models.CharField(
        max_length=32,
        help_text="machine, model, maker, category, spec; for alerts what happened (machine_published)",
    )
    entity_id = models.BigIntegerField()
    payload = models.JSONField(
        default=dict, blank=True, help_text="What the alerts need that the row no longer says"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["topic", "id"], name="outbox_pending", condition=models.Q(processed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}:{self.entity}:{self.entity_id}"
