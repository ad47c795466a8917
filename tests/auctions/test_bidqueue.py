"""Bids arriving together on one auction are placed in batches, each judged in arrival order
against the state the previous ones left, with the same outcomes as one by one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from auctions.bidqueue import bid_submit
from auctions.hub import Inbox, auction_hub
from auctions.models import Auction, Bid, BidRequestRecord
from auctions.rules import default_increments
from auctions.services import BidPlaced, BidSubmission
from auctions.services.bidding import BidRejectedError
from tests.auctions.test_services import soft_close_auction
from tests.factories import UserFactory, eur

pytestmark = pytest.mark.django_db(transaction=True)


def ascending(count: int, start: int = 1_000_000) -> list[int]:
    amounts = [start]
    for _ in range(count - 1):
        amounts.append(default_increments("EUR").next_amount(amounts[-1]))
    return amounts


def assert_each_event_describes_its_own_bid(
    auction: Any, outcomes: list[Any], messages: list[Any], amounts: list[int]
) -> None:
    """Rising bids `amounts`, all placed: each outcome and each broadcast event carries its own
    bid's seq, count and next minimum, not the batch's."""
    count = len(amounts)
    assert all(isinstance(o, BidPlaced) and not o.replayed for o in outcomes)
    assert [[e.seq for e in o.events] for o in outcomes] == [[seq] for seq in range(1, count + 1)]
    assert (
        list(Bid.objects.filter(auction=auction).order_by("seq").values_list("amount", flat=True)) == amounts
    )
    assert [m["payload"]["seq"] for m in messages] == list(range(1, count + 1))
    assert [m["payload"]["bid_count"] for m in messages] == list(range(1, count + 1))
    assert [m["payload"]["minimum_bid"]["minor"] for m in messages] == [
        default_increments("EUR").next_amount(a) for a in amounts
    ]
    auction.refresh_from_db()
    assert (auction.bid_count, auction.last_seq, auction.current_price) == (count, count, amounts[-1])


def mixed_batch(auction: Any, low: int, high: int) -> list[tuple[Any, int, str]]:
    """(bidder, amount, idempotency key) of a batch with a refused, a repeated and a forbidden bid."""
    first, second, third = UserFactory.create(), UserFactory.create(), UserFactory.create()
    return [
        (first, low, "first"),
        (second, low, "too-low"),  # the same amount, now below the minimum
        (first, low, "first"),  # a retry of the first: not a second bid
        (third, high, "third"),
        (auction.seller, high * 2, "seller"),
    ]


def assert_the_mixed_batch(
    auction: Any, outcomes: list[Any], batch: list[tuple[Any, int, str]], before: list[Any]
) -> None:
    """Outcomes of `mixed_batch` placed after the bids `before` ((bidder, amount, key)): the
    refused and forbidden bids change nothing, the retry answers with the first's event."""
    seq = len(before) + 1
    first, too_low, retry, third, seller = outcomes
    assert isinstance(first, BidPlaced)
    assert not first.replayed
    assert isinstance(too_low, BidRejectedError)
    assert too_low.code == "bid_too_low"
    assert isinstance(retry, BidPlaced)
    assert retry.replayed
    assert [e.seq for e in retry.events] == [seq]
    assert isinstance(third, BidPlaced)
    assert [e.seq for e in third.events] == [seq + 1]
    assert isinstance(seller, BidRejectedError)
    assert seller.code == "not_allowed"
    kept = [*before, batch[0], batch[3]]
    assert list(Bid.objects.filter(auction=auction).order_by("seq").values_list("bidder", "amount")) == [
        (bidder.pk, amount) for bidder, amount, _ in kept
    ]
    assert sorted(
        BidRequestRecord.objects.filter(auction=auction).values_list("idempotency_key", flat=True)
    ) == sorted(key for _, _, key in kept)


async def submit_all(auction_id: int, submissions: list[BidSubmission]) -> list[BidPlaced | BaseException]:
    return list(
        await asyncio.gather(
            *(bid_submit(auction_id=auction_id, submission=s) for s in submissions), return_exceptions=True
        )
    )


def test_a_crowd_of_rising_bids_is_placed_in_order_and_each_event_describes_its_own_bid() -> None:
    auction = soft_close_auction()
    buyers = [UserFactory.create() for _ in range(12)]
    amounts = ascending(12)
    submissions = [
        BidSubmission(buyer, eur(amount), None, f"k{i}")
        for i, (buyer, amount) in enumerate(zip(buyers, amounts, strict=True))
    ]

    async def scenario() -> tuple[list[Any], list[dict[str, Any]]]:
        listener = Inbox()
        await auction_hub().join(auction.pk, listener)
        outcomes = await submit_all(auction.pk, submissions)
        messages: list[Any] = []
        while len(messages) < 12:
            event = await asyncio.wait_for(listener.queue.get(), timeout=10)
            assert event is not None
            messages.append(event.message)
        await auction_hub().leave(auction.pk, listener)
        return outcomes, messages

    outcomes, messages = async_to_sync(scenario)()

    assert_each_event_describes_its_own_bid(auction, outcomes, messages, amounts)


def test_in_one_batch_a_refused_bid_changes_nothing_and_a_repeated_key_bids_once() -> None:
    auction = soft_close_auction()
    batch = mixed_batch(auction, *ascending(2))

    outcomes = async_to_sync(submit_all)(auction.pk, [BidSubmission(b, eur(a), None, k) for b, a, k in batch])

    assert_the_mixed_batch(auction, outcomes, batch, before=[])


def test_a_bidder_who_leaves_before_the_batch_is_taken_places_nothing() -> None:
    auction = soft_close_auction()
    staying, leaving = UserFactory.create(), UserFactory.create()
    low, high = ascending(2)

    async def scenario() -> BidPlaced:
        kept = asyncio.ensure_future(
            bid_submit(auction_id=auction.pk, submission=BidSubmission(staying, eur(low), None, "s"))
        )
        gone = asyncio.ensure_future(
            bid_submit(auction_id=auction.pk, submission=BidSubmission(leaving, eur(high), None, "l"))
        )
        await asyncio.sleep(0)  # both queued, the batch not yet taken: one scheduling round
        gone.cancel()
        return await kept

    placed = async_to_sync(scenario)()

    assert [e.seq for e in placed.events] == [1]
    assert list(Bid.objects.filter(auction=auction).values_list("bidder", flat=True)) == [staying.pk]
    stored = Auction.objects.get(pk=auction.pk)
    assert placed.auction.state == stored.state  # the state handed back is the stored one
    assert (
        (placed.auction.last_seq, placed.auction.bid_count) == (stored.last_seq, stored.bid_count) == (1, 1)
    )
