"""Auction events to watchers: written to the auction's event log in the transaction that
makes them, and once it commits, one Redis PUBLISH per event on the auction's channel, which
every server process watching it receives once and hands to its own sockets
(`auctions/hub.py`). With AUCTION_FANOUT="channel_layer", one channels-redis group_send per
event instead (a message per socket: the benchmark's baseline). A failure to broadcast never
undoes a committed bid: clients resume from `seq`, replayed from the log."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from auctions import hub
from auctions.models import Auction, AuctionEventRecord
from auctions.rules import AuctionState, BidEvent, ClosedEvent, ExtendedEvent, Money
from core.money import Money as CoreMoney

logger = logging.getLogger(__name__)


def group_name(auction_id: int) -> str:
    return f"auction-{auction_id}"


def money_json(money: Money) -> dict[str, Any]:
    """The one money shape (core/money.py) of an amount of the bidding rules."""
    return CoreMoney(money.amount, money.currency).to_json()


def _person(user_id: str, numbers: dict[str, int]) -> dict[str, Any]:
    """A bidder or winner as the AsyncAPI document's `Person`: never their name, but their
    number in this auction ("Bidder 3"), which every page and client shows instead."""
    number = numbers[user_id]
    return {"id": int(user_id), "number": number, "name": f"Bidder {number}"}


def _message(event: str, auction_id: int, seq: int, **payload: Any) -> dict[str, Any]:
    return {"event": event, "payload": {"auction_id": auction_id, "seq": seq, **payload}}


def event_message(
    auction: Auction,
    event: BidEvent | ExtendedEvent | ClosedEvent,
    numbers: dict[str, int],
    state: AuctionState | None = None,
) -> dict[str, Any]:
    """`state`: the auction's state as of the event, when the caller has it decoded already.
    The shapes are the AsyncAPI document's (auctions/asyncapi.py)."""
    if isinstance(event, BidEvent):
        minimum = (state or AuctionState.from_dict(auction.state)).minimum_bid
        bidder = _person(event.bidder_id, numbers)
        highest_bid = {
            "price": money_json(event.amount),
            "user": bidder,
            "automatic": event.automatic,
            "placed_at": event.at.isoformat(),
        }
        return _message(
            "new_bid",
            auction.pk,
            event.seq,
            bid_count=auction.bid_count,
            highest_bidder=bidder,
            highest_bid=highest_bid,
            ends_at=auction.ends_at.isoformat(),
            reserve_met=auction.reserve_met,
            minimum_bid=money_json(minimum),
        )
    if isinstance(event, ExtendedEvent):
        return _message(
            "auction_extended",
            auction.pk,
            event.seq,
            ends_at=event.ends_at.isoformat(),
            previous_ends_at=event.previous_ends_at.isoformat(),
        )
    result = event.result
    winner_id = result.high_bidder_id if result.reserve_met else None
    return _message(
        "auction_ended",
        auction.pk,
        event.seq,
        winner=_person(winner_id, numbers) if winner_id else None,
        price=money_json(result.final_price) if result.final_price else None,
        reserve_met=result.reserve_met,
    )


Event = BidEvent | ExtendedEvent | ClosedEvent


def _numbers(auction_id: int, events: Iterable[Event]) -> dict[str, int]:
    """Each bidder's number in the auction (auctions.selectors.bidder_numbers: by their first
    bid, whose row is written before its events are); a bidder without a row yet (none is
    expected) is numbered after the others, in the order of the events."""
    from auctions.selectors import bidder_numbers

    numbers = {str(user_id): number for user_id, number in bidder_numbers(auction_id).items()}
    for event in events:
        bidder = event.bidder_id if isinstance(event, BidEvent) else None
        if isinstance(event, ClosedEvent):
            bidder = event.result.high_bidder_id
        if bidder and bidder not in numbers:
            numbers[bidder] = len(numbers) + 1
    return numbers


def record_and_publish(moments: Sequence[tuple[Auction, AuctionState | None, Sequence[Event]]]) -> None:
    """Inside the transaction that changes the auction: write each (auction and its state as of
    the events, events) to the auction's event log, in the same commit, and broadcast them
    once it commits. The log is what a client that reconnects is replayed from, every kind of
    event in order. The moments are of one auction."""
    if not any(events for _, _, events in moments):
        return
    auction_id = moments[0][0].pk
    numbers = _numbers(auction_id, (event for _, _, events in moments for event in events))
    messages = [
        event_message(auction, event, numbers, state)
        for auction, state, events in moments
        for event in events
    ]
    AuctionEventRecord.objects.bulk_create(
        AuctionEventRecord(auction_id=auction_id, seq=message["payload"]["seq"], message=message)
        for message in messages
    )
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
