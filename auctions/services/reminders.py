"""Reminding an auction's watchers and bidders: it has started, it ends in an hour, in ten
minutes. Driven from the database by the closer's loop, like closing: any number of processes
may run it, each auction's row is taken with SKIP LOCKED, and `Auction.reminded` records the
last stage told, in the transaction that tells it.

Stages only move forward. A soft-close extension that moves the end later tells nothing again
(the stage is kept, and the dedupe keys `auction:<id>:ending_10m` would refuse a repeat anyway).
An auction that is already further along when first seen is told only the stage it is at: one
created 50 minutes before its end hears "ends in an hour", not also "has started"; a start more
than STARTED_IS_NEWS ago (a closer that was down, auctions older than this code) is not told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts.services import notify
from auctions.models import Auction
from auctions.services.alerting import reminder_drafts, watchers_and_bidders

STARTED, ENDING_1H, ENDING_10M = 1, 2, 3
STARTED_IS_NEWS = timedelta(hours=1)
HOUR, TEN_MINUTES = timedelta(hours=1), timedelta(minutes=10)
KINDS = {STARTED: "auction_starting", ENDING_1H: "auction_ending_1h", ENDING_10M: "auction_ending_10m"}


@dataclass(frozen=True)
class Reminded:
    auction_id: int
    kind: str | None  # None: the stage was passed without telling (an old start)
    told: int


def due_stage(*, starts_at: datetime, ends_at: datetime, now: datetime) -> int:
    if now < starts_at:
        return 0
    left = ends_at - now
    return ENDING_10M if left <= TEN_MINUTES else ENDING_1H if left <= HOUR else STARTED


def auction_reminders_due(*, now: datetime | None = None, limit: int = 100) -> list[Reminded]:
    """Tell every open auction's stage that has come and was not told yet (at most `limit`
    auctions a call); safe to run in every process at once."""
    now = now or timezone.now()
    due = list(
        Auction.objects.filter(closed_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .filter(
            Q(reminded__lt=STARTED)
            | Q(reminded__lt=ENDING_1H, ends_at__lte=now + HOUR)
            | Q(reminded__lt=ENDING_10M, ends_at__lte=now + TEN_MINUTES)
        )
        .order_by("ends_at")
        .values_list("pk", flat=True)[:limit]
    )
    reminded = [auction_remind(auction_id=auction_id, now=now) for auction_id in due]
    return [result for result in reminded if result is not None]


@transaction.atomic
def auction_remind(*, auction_id: int, now: datetime) -> Reminded | None:
    """Tell the auction's watchers and bidders the stage it is at, if it is further than the
    last one told. Takes the auction's row lock with SKIP LOCKED: None when another process
    (a closer, a bid batch) holds it, or when there is nothing to tell."""
    auction = (
        Auction.objects.select_for_update(skip_locked=True)
        .filter(pk=auction_id, closed_at__isnull=True)
        .first()
    )
    if auction is None or auction.ends_at <= now:
        return None
    stage = due_stage(starts_at=auction.starts_at, ends_at=auction.ends_at, now=now)
    if stage <= auction.reminded:
        return None
    kind: str | None = KINDS[stage]
    if stage == STARTED and now - auction.starts_at > STARTED_IS_NEWS:
        kind = None
    told = notify(reminder_drafts(auction, kind, watchers_and_bidders(auction))) if kind else []
    auction.reminded = stage
    auction.save(update_fields=["reminded"])
    return Reminded(auction.pk, kind, len(told))
