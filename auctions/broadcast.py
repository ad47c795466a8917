"""Auction events to watchers: after the bid's transaction commits, one Redis PUBLISH per event
on the auction's channel, which every server process watching it receives once and hands to its
own sockets (`auctions/hub.py`). With AUCTION_FANOUT="channel_layer", one channels-redis
group_send per event instead (a message per socket: the benchmark's baseline).
A failure to broadcast never undoes a committed bid: clients resume from `seq`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from auctions import hub
from auctions.models import Auction
from auctions.rules import AuctionState, BidEvent, ClosedEvent, ExtendedEvent, Money
from auctions.rules import minor_units as currency_minor_units

logger = logging.getLogger(__name__)


def group_name(auction_id: int) -> str:
    return f"auction-{auction_id}"


def money_payload(money: Money) -> dict[str, str]:
    return {
        "currency": money.currency,
        "amount": str(Decimal(money.amount).scaleb(-currency_minor_units(money.currency))),
    }


def event_message(
    auction: Auction,
    event: BidEvent | ExtendedEvent | ClosedEvent,
    names: dict[str, str],
    state: AuctionState | None = None,
) -> dict[str, Any]:
    """`state`: the auction's state as of the event, when the caller has it decoded already."""
    if isinstance(event, BidEvent):
        minimum = (state or AuctionState.from_dict(auction.state)).minimum_bid
        bidder = {"id": int(event.bidder_id), "name": names.get(event.bidder_id, "")}
        return {
            "event": "new_bid",
            "payload": {
                "auctionId": auction.pk,
                "seq": event.seq,
                "bidCount": auction.bid_count,
                "highestBidder": bidder,
                "highestBid": {
                    "priceCents": event.amount.amount,
                    "price": money_payload(event.amount),
                    "user": bidder,
                    "automatic": event.automatic,
                },
                "endsAt": auction.ends_at.isoformat(),
                "reserveMet": auction.reserve_met,
                "minimumBidCents": minimum.amount,
            },
        }
    if isinstance(event, ExtendedEvent):
        return {
            "event": "auction_extended",
            "payload": {
                "auctionId": auction.pk,
                "seq": event.seq,
                "endsAt": event.ends_at.isoformat(),
                "previousEndsAt": event.previous_ends_at.isoformat(),
            },
        }
    result = event.result
    winner = None
    if result.high_bidder_id and result.reserve_met:
        winner = {"id": int(result.high_bidder_id), "name": names.get(result.high_bidder_id, "")}
    return {
        "event": "auction_ended",
        "payload": {
            "auctionId": auction.pk,
            "seq": event.seq,
            "winner": winner,
            "price": money_payload(result.final_price) if result.final_price else None,
            "reserveMet": result.reserve_met,
        },
    }


Event = BidEvent | ExtendedEvent | ClosedEvent


def _names(events: Iterable[Event], known: dict[str, str] | None = None) -> dict[str, str]:
    """Usernames of the bidders in `events`; those in `known` need no query."""
    from marketplace.models import User

    names = dict(known or {})
    ids = {e.bidder_id for e in events if isinstance(e, BidEvent)} | {
        e.result.high_bidder_id for e in events if isinstance(e, ClosedEvent) and e.result.high_bidder_id
    }
    missing = [int(i) for i in ids - set(names)]
    if missing:
        names.update(
            (str(pk), name) for pk, name in User.objects.filter(pk__in=missing).values_list("pk", "username")
        )
    return names


def messages_for(auction: Auction, events: Iterable[Event]) -> list[dict[str, Any]]:
    events = list(events)
    names = _names(events)
    return [event_message(auction, event, names) for event in events]


def publish_after_commit(
    moments: Sequence[tuple[Auction, AuctionState | None, Sequence[Event]]],
    known_names: dict[str, str] | None = None,
) -> None:
    """Broadcast each (auction and its state as of the events, events) once the transaction
    commits. Bidders' names in `known_names` need no query."""
    names = _names((event for _, _, events in moments for event in events), known_names)
    messages = [
        event_message(auction, event, names, state) for auction, state, events in moments for event in events
    ]
    if messages:
        auction_id = moments[0][0].pk
        transaction.on_commit(lambda: publish(auction_id, messages))


def publish(auction_id: int, messages: list[dict[str, Any]]) -> None:
    try:
        if settings.AUCTION_FANOUT == "channel_layer":
            for message in messages:
                async_to_sync(get_channel_layer().group_send)(
                    group_name(auction_id), {"type": "auction.event", "message": message}
                )
        else:
            hub.publish(auction_id, messages)
    except Exception:  # Redis down: the bid stands; clients catch up from their last seq
        logger.exception("could not broadcast auction %s events", auction_id)


async def publish_async(auction_id: int, messages: list[dict[str, Any]]) -> None:
    """`publish` from the event loop (presence counts)."""
    if settings.AUCTION_FANOUT == "channel_layer":
        try:
            for message in messages:
                await get_channel_layer().group_send(
                    group_name(auction_id), {"type": "auction.event", "message": message}
                )
        except Exception:
            logger.warning("could not broadcast auction %s events", auction_id, exc_info=True)
        return
    await sync_to_async(publish, thread_sensitive=False)(auction_id, messages)
