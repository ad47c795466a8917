"""What an auction tells people (alerts/kinds.py), as drafts for `alerts.services.notify`, which
the bidding, closing and reminder services call in their own transactions: a bid that outbids
someone and the notification that says so commit together, or neither does.

Dedupe keys name the auction and what happened in it (`auction:7:outbid:12`, the seq of the bid
that outbid), so a retried write tells nothing twice and a later event tells again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from alerts.services import Draft
from auctions.models import Auction, Bid
from marketplace.models import Machine, WatchlistEntry
from marketplace.money import format_money


@dataclass(frozen=True)
class Outbid:
    """`user_id` led until the bid numbered `seq` took the lead; the price is then `price`."""

    user_id: int
    seq: int
    price: int


def machine_title(machine_id: int) -> dict[str, str]:
    """The listing's title in each language it has (the sentence picks the reader's)."""
    title = Machine.objects.filter(pk=machine_id).values_list("title", flat=True).first()
    return {str(language): str(text) for language, text in (title or {}).items()}


def bidders_of(auction_id: int) -> list[int]:
    return list(Bid.objects.filter(auction_id=auction_id).values_list("bidder_id", flat=True).distinct())


def watchers_and_bidders(auction: Auction) -> set[int]:
    """Who follows an auction: the machine's watchers and the auction's bidders, not its seller."""
    watchers = WatchlistEntry.objects.filter(machine_id=auction.machine_id).values_list("user_id", flat=True)
    return ({*watchers} | set(bidders_of(auction.pk))) - {auction.seller_id}


def _draft(auction: Auction, user_id: int, kind: str, key: str, **params: Any) -> Draft:
    return Draft(
        user_id=user_id,
        kind=kind,
        dedupe_key=f"auction:{auction.pk}:{key}",
        link=reverse("auction-live", args=[auction.pk]),
        params=params,
        machine_id=auction.machine_id,
    )


def bid_drafts(auction: Auction, *, outbid: list[Outbid], last_seq: int, price: int) -> list[Draft]:
    """A batch of accepted bids: each bidder it took the lead from, and one notification for the
    seller with the batch's last price (a bidding war answered by proxies is one commit; the
    seller wants to know where the price stands, not every step it took)."""
    title = machine_title(auction.machine_id)
    drafts = [
        _draft(
            auction,
            told.user_id,
            "outbid",
            f"outbid:{told.seq}",
            title=title,
            price=format_money(told.price, auction.currency),
        )
        for told in outbid
    ]
    drafts.append(
        _draft(
            auction,
            auction.seller_id,
            "new_bid",
            f"new_bid:{last_seq}",
            title=title,
            price=format_money(price, auction.currency),
        )
    )
    return drafts


def close_drafts(auction: Auction, *, winner_id: int | None, price: int | None) -> list[Draft]:
    """The end: the winner, every other bidder (lost), every bidder when the reserve was not met,
    and the seller with the result."""
    title = machine_title(auction.machine_id)
    shown = format_money(price, auction.currency) if price is not None else ""
    bidders = bidders_of(auction.pk)
    drafts: list[Draft] = []
    if winner_id is not None:
        drafts.append(_draft(auction, winner_id, "auction_won", "won", title=title, price=shown))
        drafts += [_draft(auction, b, "auction_lost", "lost", title=title) for b in bidders if b != winner_id]
        result = "sold"
    elif bidders:
        drafts += [_draft(auction, b, "auction_reserve_not_met", "reserve", title=title) for b in bidders]
        result = "reserve_not_met"
    else:
        result = "no_bids"
    drafts.append(
        _draft(auction, auction.seller_id, "auction_ended", "ended", title=title, result=result, price=shown)
    )
    return drafts


def reminder_drafts(auction: Auction, kind: str, people: Iterable[int]) -> list[Draft]:
    title = machine_title(auction.machine_id)
    return [_draft(auction, user_id, kind, kind.removeprefix("auction_"), title=title) for user_id in people]
