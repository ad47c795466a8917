"""Reads of auctions: the public snapshot a page, the API and a joining socket all start from,
and the event log a resuming client is replayed from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from auctions.broadcast import money_json
from auctions.models import Auction, AuctionEventRecord, Bid
from auctions.rules import AuctionState, Money
from marketplace.models import Currency, Photo
from marketplace.money import format_money

# A resuming client is replayed at most this many events per round trip to the database; it
# asks again from the last one it got (the socket and the stream do so until caught up).
REPLAY_PAGE = 500
# The live page's quick amounts: the minimum bid, and one and four increments above it.
QUICK_BID_STEPS = (0, 1, 4)


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


@dataclass(frozen=True)
class AuctionsIndex:
    """The auctions index's sections, each in the order a buyer reads it."""

    live: list[Auction]
    upcoming: list[Auction]
    ended: list[Auction]

    @property
    def sections(self) -> list[tuple[str, list[Auction]]]:
        return [("live", self.live), ("upcoming", self.upcoming), ("ended", self.ended)]


def auctions_index(
    *, now: datetime | None = None, limit: int = 24, ended_within: timedelta = timedelta(days=7)
) -> AuctionsIndex:
    """Running auctions (ending first), those about to start, and those closed within
    `ended_within` (latest first); each with its listing, model and cover photo loaded."""
    now = now or timezone.now()
    listed = auctions_listed().prefetch_related(
        Prefetch("machine__photos", queryset=Photo.objects.order_by("position", "id"))
    )
    running = listed.filter(closed_at__isnull=True)
    return AuctionsIndex(
        live=list(running.filter(starts_at__lte=now).order_by("ends_at", "id")[:limit]),
        upcoming=list(running.filter(starts_at__gt=now).order_by("starts_at", "id")[:limit]),
        ended=list(listed.filter(closed_at__gte=now - ended_within).order_by("-closed_at", "-id")[:limit]),
    )


def bidder_numbers(auction_id: int) -> dict[int, int]:
    """Each bidder's number in the auction, by the order of their first bid (1, 2, …): the
    stable pseudonym ("Bidder 2") a page shows instead of a name."""
    firsts = (
        Bid.objects.filter(auction_id=auction_id)
        .values("bidder_id")
        .annotate(first_seq=Min("seq"))
        .order_by("first_seq")
    )
    return {row["bidder_id"]: number for number, row in enumerate(firsts, start=1)}


def bids_latest(auction_id: int, limit: int = 20) -> list[Bid]:
    return list(Bid.objects.filter(auction_id=auction_id).select_related("auction").order_by("-seq")[:limit])


def viewer_standing(auction: Auction, viewer_id: int | None, numbers: dict[int, int]) -> str:
    """Where the viewer stands: "leading" or "outbid" while bidding runs, "won" or "lost" once
    it closed, "" when they have not bid (or are not signed in)."""
    if viewer_id is None or viewer_id not in numbers:
        return ""
    if auction.closed_at is not None:
        return "won" if auction.winner_id == viewer_id else "lost"
    leader = AuctionState.from_dict(auction.state).leader_id
    return "leading" if leader == str(viewer_id) else "outbid"


def auction_live_page(auction: Auction, viewer_id: int | None, display_currency: str) -> dict[str, Any]:
    """What the live page shows: the snapshot, the latest bids under their bidders'
    pseudonyms, where the viewer stands, and the data its script keeps up to date; when the
    viewer's currency is not the auction's, what its script converts the price with."""
    state = AuctionState.from_dict(auction.state)
    snapshot = auction_snapshot(auction)
    numbers = bidder_numbers(auction.pk)
    history = [
        {
            "seq": bid.seq,
            "number": numbers[bid.bidder_id],
            "mine": bid.bidder_id == viewer_id,
            "price": money_json(Money(bid.amount, bid.auction.currency)),
            "automatic": bid.automatic,
            "placed_at": bid.placed_at,
        }
        for bid in bids_latest(auction.pk)
    ]
    currency = Currency.objects.get(code=auction.currency)
    result = state.result
    quick = [state.minimum_bid.amount]
    for _ in range(QUICK_BID_STEPS[-1]):
        quick.append(state.terms.increments.next_amount(quick[-1]))
    return {
        "snapshot": snapshot,
        "history": history,
        "standing": viewer_standing(auction, viewer_id, numbers),
        "viewer_number": numbers.get(viewer_id) if viewer_id is not None else None,
        "extended_seconds": int((state.ends_at - state.terms.ends_at).total_seconds()),
        "final_price": money_json(result.final_price) if result and result.final_price else None,
        "quick_bids": [money_json(Money(quick[steps], auction.currency)) for steps in QUICK_BID_STEPS],
        "script_data": {
            **snapshot,
            "scheduled_end": state.terms.ends_at.isoformat(),
            "viewer": viewer_id,
            "bidders": {str(bidder): number for bidder, number in numbers.items()},
            "increments": state.terms.increments.to_list(),
            "quick_steps": list(QUICK_BID_STEPS),
            "places": currency.minor_units,
            "symbol": currency.symbol,
            "display": _display_currency(currency, display_currency),
        },
    }


def _display_currency(auction_currency: Currency, code: str) -> dict[str, Any] | None:
    """How the page writes an amount in the viewer's currency `code` (as
    `marketplace.money.format_money` does) and converts to it (as `marketplace.money.convert`
    does: the two rates to the pivot currency); None when it is the auction's own."""
    target = Currency.objects.filter(code=code).first()
    if target is None or target.code == auction_currency.code:
        return None
    zero = format_money(0, target.code)
    return {
        "currency": target.code,
        "places": target.minor_units,
        "prefix": zero.split("0", 1)[0],
        "suffix": zero.rsplit("0", 1)[1],
        "rates": [auction_currency.rate_to_pivot_nano, target.rate_to_pivot_nano],
    }


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
