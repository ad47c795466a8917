"""Closing auctions exactly once, driven from the database: whichever process's closer
locks the row first closes it; the others find it closed (or locked, and skip it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from alerts.services import notify
from auctions.broadcast import record_and_publish
from auctions.models import Auction
from auctions.rules import AuctionState, Closed, close
from auctions.services.alerting import close_drafts
from core.money import Money
from events import producers as events
from marketplace.services import machine_leave_auction


@dataclass(frozen=True)
class AuctionClosed:
    auction: Auction
    closed_now: bool


@transaction.atomic
def auction_close(
    *, auction_id: int, now: datetime | None = None, skip_locked: bool = False
) -> AuctionClosed | None:
    """Close the auction if its end has passed. Returns None when another process holds the
    row (with skip_locked) or the end has not come yet (soft close may have moved it)."""
    now = now or timezone.now()
    query = Auction.objects.select_for_update(skip_locked=skip_locked).filter(pk=auction_id)
    auction = query.first()
    if auction is None:
        return None
    if auction.closed_at is not None:
        return AuctionClosed(auction, closed_now=False)
    outcome = close(AuctionState.from_dict(auction.state), now)
    if not isinstance(outcome, Closed):
        auction.ends_at = outcome.ends_at
        auction.save(update_fields=["ends_at"])
        return None
    result = outcome.result
    auction.state = dataclasses.replace(outcome.state, accepted=()).to_dict()
    auction.closed_at = now
    auction.last_seq = outcome.state.last_seq
    auction.reserve_met = result.reserve_met
    auction.winner_id = int(result.high_bidder_id) if result.high_bidder_id and result.reserve_met else None
    auction.save(update_fields=["state", "closed_at", "last_seq", "reserve_met", "winner"])
    machine_leave_auction(machine_id=auction.machine_id, sold=auction.winner_id is not None)
    record_and_publish([(auction, None, (outcome.event,))])
    price = result.final_price
    notify(
        close_drafts(auction, winner_id=auction.winner_id, price=price.amount if price is not None else None)
    )
    events.auction_closed(
        auction_id=auction.pk,
        machine_id=auction.machine_id,
        result="sold" if result.sold else "reserve_not_met" if auction.bid_count else "no_bids",
        winning_amount=Money(price.amount, price.currency) if result.sold and price is not None else None,
        bids=auction.bid_count,
        winner_id=auction.winner_id,
    )
    return AuctionClosed(auction, closed_now=True)


def auctions_close_due(*, now: datetime | None = None, limit: int = 100) -> list[AuctionClosed]:
    """Close every auction whose end has passed; safe to run in every process at once."""
    now = now or timezone.now()
    due = list(
        Auction.objects.filter(closed_at__isnull=True, ends_at__lte=now)
        .order_by("ends_at")
        .values_list("pk", flat=True)[:limit]
    )
    closed = [auction_close(auction_id=auction_id, now=now, skip_locked=True) for auction_id in due]
    return [result for result in closed if result is not None and result.closed_now]
