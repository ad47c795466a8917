"""What people are told. A `Notification` is written in the transaction of what it tells
(the bid that outbid someone) or by the outbox worker that follows it (a listing matching a
saved search); `dedupe_key` makes telling the same thing twice impossible."""

from __future__ import annotations

from datetime import time

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


# ------------------------------------------------------------------ delivery by email


class Preference(models.Model):
    """A person's choice for one kind; no row means the kind's defaults (alerts/kinds.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, help_text="alerts.kinds.KINDS")
    site = models.BooleanField(default=True)
    email = models.CharField(max_length=16, help_text="off, immediate or digest (alerts.kinds.Email)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.email} for {self.user_id}"


class AlertSettings(models.Model):
    """When a person's mail may come: their time zone, quiet hours, the digest's hour, and the
    switch that stops every email. No row means the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    timezone = models.CharField(max_length=64, default="UTC", help_text="An IANA name: Asia/Tokyo")
    quiet_start = models.TimeField(null=True, blank=True, help_text="Local time; no mail from then")
    quiet_end = models.TimeField(null=True, blank=True, help_text="Local time; mail again from then")
    digest_time = models.TimeField(default=time(8, 0), help_text="Local time the daily digest goes out")
    email_enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"alert settings of {self.user_id}"


class EmailStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNCERTAIN = "uncertain"  # killed during the data phase: the server may have it; never re-sent
    FAILED = "failed"


class OutgoingEmail(models.Model):
    """One email to send: a notification's own (`notification`) or a person's digest of a local
    day (`digest_day`). `alerts/sender.py` says how each row is sent at most once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    digest_day = models.DateField(null=True, blank=True, help_text="The local day of a digest")
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A sender holds it until then")
    data_started_at = models.DateTimeField(
        null=True, blank=True, help_text="The attempt reached SMTP DATA: the server may have it"
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "digest_day"],
                name="outgoing_digest_once",
                condition=models.Q(digest_day__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(notification__isnull=True) ^ models.Q(digest_day__isnull=True),
                name="outgoing_one_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outgoing_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"email {self.pk} ({self.status})"


class DigestEntry(models.Model):
    """A notification waiting for its person's digest; `email` is the digest that carried it
    (set once, so no notification is in two digests)."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "created_at"], name="digest_waiting", condition=models.Q(email__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"digest entry {self.notification_id}"


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
