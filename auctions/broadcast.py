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


def _person(user_id: str, names: dict[str, str]) -> dict[str, Any]:
    """A bidder or winner as the AsyncAPI document's `Person`."""
    return {"id": int(user_id), "name": names.get(user_id, "")}


def _message(event: str, auction_id: int, seq: int, **payload: Any) -> dict[str, Any]:
    return {"event": event, "payload": {"auction_id": auction_id, "seq": seq, **payload}}


def event_message(
    auction: Auction,
    event: BidEvent | ExtendedEvent | ClosedEvent,
    names: dict[str, str],
    state: AuctionState | None = None,
) -> dict[str, Any]:
    """`state`: the auction's state as of the event, when the caller has it decoded already.
    The shapes are the AsyncAPI document's (auctions/asyncapi.py)."""
    if isinstance(event, BidEvent):
        minimum = (state or AuctionState.from_dict(auction.state)).minimum_bid
        bidder = _person(event.bidder_id, names)
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
        winner=_person(winner_id, names) if winner_id else None,
        price=money_json(result.final_price) if result.final_price else None,
        reserve_met=result.reserve_met,
    )


Event = BidEvent | ExtendedEvent | ClosedEvent


def _names(events: Iterable[Event], known: dict[str, str] | None = None) -> dict[str, str]:
    """Usernames of the bidders in `events`; those in `known` need no query."""
    from marketplace.models import User

    events = list(events)
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


def record_and_publish(
    moments: Sequence[tuple[Auction, AuctionState | None, Sequence[Event]]],
    known_names: dict[str, str] | None = None,
) -> None:
    """Inside the transaction that changes the auction: write each (auction and its state as of
    the events, events) to the auction's event log, in the same commit, and broadcast them
    once it commits. The log is what a client that reconnects is replayed from, every kind of
    event in order. Bidders' names in `known_names` need no query."""
    names = _names((event for _, _, events in moments for event in events), known_names)
    messages = [
        event_message(auction, event, names, state) for auction, state, events in moments for event in events
    ]
    if not messages:
        return
    auction_id = moments[0][0].pk
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
