"""The daily digest: once per local day, at the person's digest time, the notifications that
waited for it become one email. Never during quiet hours: a digest time inside them moves to
their end (the next morning when they span midnight).

The digest of a day is one `OutgoingEmail` row, unique per person and local day, so it is
built once whichever scheduler gets there first; a notification joins it by an UPDATE of its
`DigestEntry` that only takes entries still waiting, so none is in two digests. The sender
worker calls `digests_due` in its loop; tests call it with an explicit `now`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from alerts.models import DigestEntry, OutgoingEmail
from alerts.preferences import MailWindow, mail_windows

USERS_PER_PAGE = 500


def digest_due_at(window: MailWindow, day: date) -> datetime:
    """When the digest of a local `day` may go: its digest time, or the end of the quiet
    hours that time falls in."""
    zone = window.zone
    due = datetime.combine(day, window.digest_time, tzinfo=zone)
    if window.is_quiet(window.digest_time) and window.quiet_end is not None:
        end_day = day if window.quiet_end > window.digest_time else day + timedelta(days=1)
        due = datetime.combine(end_day, window.quiet_end, tzinfo=zone)
    return due


def digests_due(*, now: datetime) -> int:
    """Build the digests due at `now`; returns how many were built (the sender sends them).
    Goes through the people with waiting notifications a page at a time."""
    built, after = 0, 0
    while True:
        waiting = list(
            DigestEntry.objects.filter(email__isnull=True, user_id__gt=after)
            .values_list("user_id", flat=True)
            .distinct()
            .order_by("user_id")[:USERS_PER_PAGE]
        )
        if not waiting:
            return built
        built += _build_for(waiting, now=now)
        after = waiting[-1]


def _build_for(user_ids: list[int], *, now: datetime) -> int:
    built = 0
    for user_id, window in mail_windows(user_ids).items():
        if not window.email_enabled:
            # they turned every email off: what waited for a digest will not be mailed
            DigestEntry.objects.filter(user_id=user_id, email__isnull=True).delete()
            continue
        local_now = now.astimezone(window.zone)
        if window.is_quiet(local_now.time()):
            continue
        today = local_now.date()
        for day in (today - timedelta(days=1), today):
            due_at = digest_due_at(window, day)
            if due_at <= now and _build(user_id=user_id, day=day, due_at=due_at, now=now):
                built += 1
    return built


def _build(*, user_id: int, day: date, due_at: datetime, now: datetime) -> bool:
    """The digest of `day` with the entries that waited since before `due_at`, unless that
    day's digest exists or nothing waited for it."""
    waiting = DigestEntry.objects.filter(user_id=user_id, email__isnull=True, created_at__lt=due_at)
    if not waiting.exists() or OutgoingEmail.objects.filter(user_id=user_id, digest_day=day).exists():
        return False
    try:
        with transaction.atomic():
            digest = OutgoingEmail.objects.create(user_id=user_id, digest_day=day, next_attempt_at=now)
            if not waiting.update(email=digest):  # another day's digest took them meanwhile
                transaction.set_rollback(True)
                return False
    except IntegrityError:  # another scheduler built this day's digest first
        return False
    return True
