"""Reads of auctions: the public snapshot a page, the API and a joining socket all start from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from auctions.broadcast import messages_for, money_payload
from auctions.models import Auction, Bid
from auctions.rules import AuctionState, Money


def auction_snapshot(auction: Auction, now: datetime | None = None) -> dict[str, Any]:
    state = AuctionState.from_dict(auction.state)
    now = now or timezone.now()
    price = state.price
    return {
        "id": auction.pk,
        "machine": auction.machine_id,
        "kind": auction.kind,
        "status": state.status(now).value,
        "currency": auction.currency,
        "startingPrice": money_payload(state.terms.starting_price),
        "currentPrice": money_payload(price) if price else None,
        "currentPriceCents": price.amount if price else None,
        "minimumBid": money_payload(state.minimum_bid),
        "minimumBidCents": state.minimum_bid.amount,
        "bidCount": auction.bid_count,
        "seq": auction.last_seq,
        "startsAt": auction.starts_at.isoformat(),
        "endsAt": state.ends_at.isoformat(),
        "extensionSeconds": auction.extension_seconds,
        "reserveMet": auction.reserve_met,
        "hasReserve": auction.reserve_price is not None,
        "winner": auction.winner_id,
    }


def auctions_listed() -> QuerySet[Auction]:
    return Auction.objects.select_related("machine", "machine__model", "machine__model__maker").order_by(
        "closed_at", "ends_at"
    )


def auction_open_for_machine(machine_id: int) -> Auction | None:
    return Auction.objects.filter(machine_id=machine_id, closed_at__isnull=True).first()


def auction_ended_message(auction_id: int) -> dict[str, Any] | None:
    """The `auction_ended` event of a closed auction, as it was broadcast, for a client that
    resumes after missing it; None while the auction is open."""
    auction = Auction.objects.filter(pk=auction_id, closed_at__isnull=False).first()
    closing = AuctionState.from_dict(auction.state).closing if auction else None
    if auction is None or closing is None:
        return None
    return messages_for(auction, [closing])[0]


def bids_since(auction_id: int, seq: int) -> list[dict[str, Any]]:
    bids = (
        Bid.objects.filter(auction_id=auction_id, seq__gt=seq)
        .select_related("bidder", "auction")
        .order_by("seq")
    )
    return [
        {
            "seq": bid.seq,
            "price": money_payload(Money(bid.amount, bid.auction.currency)),
            "priceCents": bid.amount,
            "bidder": {"id": bid.bidder_id, "name": bid.bidder.username},
            "automatic": bid.automatic,
            "placedAt": bid.placed_at.isoformat(),
        }
        for bid in bids
    ]
