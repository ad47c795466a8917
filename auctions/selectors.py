"""Reads of auctions: the public snapshot a page, the API and a joining socket all start from,
and the event log a resuming client is replayed from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from auctions.broadcast import money_json
from auctions.models import Auction, AuctionEventRecord
from auctions.rules import AuctionState

# A resuming client is replayed at most this many events per round trip to the database; it
# asks again from the last one it got (the socket and the stream do so until caught up).
REPLAY_PAGE = 500


def auction_snapshot(auction: Auction, now: datetime | None = None) -> dict[str, Any]:
    """The auction as the AsyncAPI document's `Auction` (and the OpenAPI one's)."""
    state = AuctionState.from_dict(auction.state)
    now = now or timezone.now()
    price = state.price
    return {
        "id": auction.pk,
        "machine": auction.machine_id,
        "kind": auction.kind,
        "status": state.status(now).value,
        "currency": auction.currency,
        "starting_price": money_json(state.terms.starting_price),
        "current_price": money_json(price) if price else None,
        "minimum_bid": money_json(state.minimum_bid),
        "bid_count": auction.bid_count,
        "seq": auction.last_seq,
        "starts_at": auction.starts_at.isoformat(),
        "ends_at": state.ends_at.isoformat(),
        "extension_seconds": auction.extension_seconds,
        "reserve_met": auction.reserve_met,
        "has_reserve": auction.reserve_price is not None,
        "winner": auction.winner_id,
    }


def auctions_listed() -> QuerySet[Auction]:
    return Auction.objects.select_related("machine", "machine__model", "machine__model__maker").order_by(
        "closed_at", "ends_at", "id"
    )


def auction_open_for_machine(machine_id: int) -> Auction | None:
    return Auction.objects.filter(machine_id=machine_id, closed_at__isnull=True).first()


def events_since(auction_id: int, seq: int, *, before: int | None = None) -> list[dict[str, Any]]:
    """The auction's events after `seq` (and before `before`), in order, at most REPLAY_PAGE,
    each as it was broadcast and marked `"replayed": true`."""
    records = AuctionEventRecord.objects.filter(auction_id=auction_id, seq__gt=seq)
    if before is not None:
        records = records.filter(seq__lt=before)
    messages = []
    for message in records.order_by("seq").values_list("message", flat=True)[:REPLAY_PAGE]:
        message["payload"]["replayed"] = True
        messages.append(message)
    return messages
