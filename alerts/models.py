"""What people are told. A `Notification` is written in the transaction of what it tells
(the bid that outbid someone) or by the outbox worker that follows it (a listing matching a
saved search); `dedupe_key` makes telling the same thing twice impossible."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, help_text="alerts.kinds.KINDS")
    params = models.JSONField(default=dict, help_text="The values its sentence is written with")
    link = models.CharField(max_length=300, help_text="Where it leads, a path on this site")
    dedupe_key = models.CharField(
        max_length=200, help_text="The same thing told twice has the same key: saved_search:7:machine:42"
    )
    machine_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_by_user"),
            models.Index(
                fields=["user"], name="notification_unread", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Delivery(models.TextChoices):
    """How a saved search's matches reach its owner: the bell always, and email by choice."""

    SITE = "site", _("On the site only")
    EMAIL = "email", _("Email at once")
    DIGEST = "digest", _("Daily email digest")


class SavedSearch(models.Model):
    """A search a buyer keeps, to be told of new listings it finds. `query` is the search's
    query string as `/api/v1/search/` reads it, in canonical form (alerts/searches.py): the
    saved search re-opens as exactly that search, and is percolated as it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=120)
    query = models.CharField(max_length=2000, blank=True, help_text="q=komatsu&maker=komatsu&year_min=2015")
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.SITE)
    paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="saved_search_by_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
