"""Bids arriving together on one auction are placed in one transaction (group commit), each
judged in arrival order against the state the previous ones left, with the outcomes they would
have had one by one; every broadcast event describes its own bid."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from auctions.hub import channel_name
from auctions.models import Auction, Bid
from auctions.services import BidPlaced, bid_place, bidding
from core.redis import get_redis
from tests.auctions.test_bidqueue import (
    ascending,
    assert_each_event_describes_its_own_bid,
    assert_the_mixed_batch,
    mixed_batch,
)
from tests.auctions.test_services import soft_close_auction
from tests.factories import UserFactory, eur

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.001)  # polls the condition; the deadline bounds it


def placed_behind_the_lock(auction: Auction, bids: list[dict[str, Any]]) -> list[BidPlaced | Exception]:
    """The first bid leads and blocks on the auction's row lock (held here); the others queue
    behind it one at a time, in order; then the lock is released."""
    outcomes: list[BidPlaced | Exception | None] = [None] * len(bids)

    def place(index: int) -> None:
        try:
            outcomes[index] = bid_place(auction_id=auction.pk, **bids[index])
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(index,)) for index in range(len(bids))]
    with transaction.atomic():
        Auction.objects.select_for_update().get(pk=auction.pk)
        threads[0].start()
        wait_until(
            lambda: auction.pk in bidding._lines and not bidding._lines[auction.pk].waiting, "the leader"
        )
        for index, thread in enumerate(threads[1:], start=1):
            thread.start()
            wait_until(
                lambda index=index: len(bidding._lines[auction.pk].waiting) == index, f"bid {index} to queue"
            )
    for thread in threads:
        thread.join(timeout=30)
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def transactions_of(auction: Auction) -> list[int]:
    """The transaction that inserted each bid, in seq order (PostgreSQL's xmin)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text::bigint FROM auctions_bid WHERE auction_id = %s ORDER BY seq", [auction.pk]
        )
        return [row[0] for row in cursor.fetchall()]


def test_bids_queued_together_commit_together_in_order_and_each_event_describes_its_own_bid() -> None:
    auction = soft_close_auction()
    amounts = ascending(12)
    bids = [
        {"bidder": UserFactory.create(), "amount": eur(amount), "idempotency_key": f"k{i}"}
        for i, amount in enumerate(amounts)
    ]
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_name(auction.pk))

    outcomes = placed_behind_the_lock(auction, bids)

    messages: list[Any] = []
    deadline = time.monotonic() + 10
    while len(messages) < 12 and time.monotonic() < deadline:
        if (message := pubsub.get_message(timeout=1)) is not None:  # None: the subscription's reply
            messages.append(json.loads(message["data"]))
    pubsub.close()
    assert_each_event_describes_its_own_bid(auction, outcomes, messages, amounts)
    first, *rest = transactions_of(auction)
    assert len(set(rest)) == 1  # the eleven queued bids: one transaction
    assert first not in rest


def test_in_one_batch_a_refused_bid_changes_nothing_and_a_repeated_key_bids_once() -> None:
    auction = soft_close_auction()
    opening, low, high = ascending(3)
    lead = [(UserFactory.create(), opening, "lead")]
    batch = mixed_batch(auction, low, high)
    bids = [{"bidder": b, "amount": eur(a), "idempotency_key": k} for b, a, k in [*lead, *batch]]

    outcomes = placed_behind_the_lock(auction, bids)

    assert_the_mixed_batch(auction, outcomes[1:], batch, before=lead)
    assert bidding._lines == {}  # nothing left waiting


def test_inside_an_outer_transaction_a_bid_is_placed_alone() -> None:
    auction = soft_close_auction()
    buyer = UserFactory.create()

    with transaction.atomic():
        placed = bid_place(
            auction_id=auction.pk, bidder=buyer, amount=eur(1_000_000), idempotency_key="alone"
        )
        assert auction.pk not in bidding._lines

    assert [e.seq for e in placed.events] == [1]
    assert Bid.objects.filter(auction=auction).count() == 1
