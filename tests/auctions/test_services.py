"""Auctions in PostgreSQL: creating one, bidding under the row lock (idempotent, gap-free
sequence, never lost under concurrency), closing exactly once, broadcasting after commit."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.utils import timezone

from auctions.broadcast import group_name
from auctions.hub import channel_name
from auctions.models import Auction, Bid, BidRequestRecord
from auctions.rules import default_increments
from auctions.services import auction_create, auctions_close_due, bid_place
from auctions.services.bidding import BidRejectedError
from core.errors import ConflictError, ForbiddenError, UnprocessableError
from core.money import Money
from core.redis import get_redis
from marketplace.models import MachineStatus
from tests.factories import MachineFactory, UserFactory, eur, model_with_specs, open_auction


def soft_close_auction(*, reserve: int | None = None) -> Auction:
    machine = MachineFactory.create(model=model_with_specs(), price_currency_id="EUR", price_amount=5_000_000)
    return open_auction(machine=machine, starting=1_000_000, reserve=reserve, started_seconds_ago=60)


def terms(**overrides: Any) -> dict[str, Any]:
    """An auction's terms as `auction_create` takes them: an hour's soft close, from now."""
    now = timezone.now()
    values: dict[str, Any] = {
        "kind": "soft_close",
        "starts_at": now - timedelta(minutes=1),
        "ends_at": now + timedelta(hours=1),
        "extension_seconds": 60,
        "starting_price": Money(1_000_000, "EUR"),
    }
    return {**values, **overrides}


def next_amount(amount: int) -> int:
    return default_increments("EUR").next_amount(amount)


def bid(
    auction: Auction, bidder: Any, amount: int, max_amount: int | None = None, key: str | None = None
) -> Any:
    return bid_place(
        auction_id=auction.pk,
        bidder=bidder,
        amount=eur(amount),
        max_amount=eur(max_amount) if max_amount is not None else None,
        idempotency_key=key or uuid.uuid4().hex,
    )


@pytest.mark.django_db
def test_the_seller_of_a_published_listing_starts_an_auction() -> None:
    auction = soft_close_auction()

    assert auction.machine.status == MachineStatus.IN_AUCTION
    assert auction.state["terms"]["auction_id"] == str(auction.pk)
    assert auction.state["terms"]["soft_close_seconds"] == 60
    with pytest.raises(ConflictError) as error:
        auction_create(seller=auction.seller, machine_id=auction.machine_id, **terms())
    assert error.value.code == "listing_not_published"


@pytest.mark.django_db
def test_only_the_owner_may_auction_and_bad_terms_are_refused() -> None:
    machine = MachineFactory.create(model=model_with_specs())
    with pytest.raises(ForbiddenError):
        auction_create(seller=UserFactory.create(), machine_id=machine.pk, **terms())
    now = timezone.now()
    with pytest.raises(UnprocessableError) as error:
        auction_create(
            seller=machine.seller,
            machine_id=machine.pk,
            **terms(
                kind="sudden_death",
                ends_at=now - timedelta(hours=2),
                extension_seconds=30,
                reserve_price=Money(100, "JPY"),
            ),
        )
    assert error.value.code == "invalid_terms"
    assert set(error.value.fields) == {"ends_at", "extension_seconds", "reserve_price"}
    assert Auction.objects.count() == 0
    machine.refresh_from_db()
    assert machine.status == MachineStatus.PUBLISHED


@pytest.mark.django_db
def test_bids_are_numbered_and_proxies_answer() -> None:
    auction = soft_close_auction()
    alice, bob = UserFactory.create(), UserFactory.create()

    first = bid(auction, alice, 1_000_000, max_amount=1_500_000)
    second = bid(auction, bob, 1_100_000)

    assert [e.seq for e in first.events] == [1]
    answer = next_amount(1_100_000)  # alice's proxy answers one increment above bob
    assert [(e.bidder_id, e.amount.amount, e.automatic) for e in second.events] == [
        (str(bob.pk), 1_100_000, False),
        (str(alice.pk), answer, True),
    ]
    auction.refresh_from_db()
    assert (auction.current_price, auction.bid_count, auction.last_seq) == (answer, 3, 3)
    assert list(Bid.objects.filter(auction=auction).values_list("seq", "amount", "automatic")) == [
        (1, 1_000_000, False),
        (2, 1_100_000, False),
        (3, answer, True),
    ]
    assert auction.state["accepted"] == []  # the history lives in BidRequestRecord rows


@pytest.mark.django_db
def test_a_retried_request_bids_once_and_a_reused_key_is_refused() -> None:
    auction = soft_close_auction()
    buyer = UserFactory.create()

    first = bid(auction, buyer, 1_000_000, key="retry-me")
    again = bid(auction, buyer, 1_000_000, key="retry-me")

    assert not first.replayed
    assert again.replayed
    assert again.events == first.events
    assert Bid.objects.count() == 1
    assert BidRequestRecord.objects.count() == 1
    with pytest.raises(BidRejectedError) as error:
        bid(auction, buyer, 1_200_000, key="retry-me")
    assert (error.value.code, error.value.status_code) == ("idempotency_key_reused", 409)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "code", "status"), [("seller", "not_allowed", 403), ("anonymous", "not_allowed", 403)]
)
def test_sellers_and_anonymous_visitors_cannot_bid(who: str, code: str, status: int) -> None:
    auction = soft_close_auction()
    bidder = auction.seller if who == "seller" else None

    with pytest.raises(BidRejectedError) as error:
        bid(auction, bidder, 1_000_000)

    assert (error.value.code, error.value.status_code) == (code, status)
    assert Bid.objects.count() == 0


@pytest.mark.django_db
def test_a_low_bid_is_refused_with_the_minimum_and_changes_nothing() -> None:
    auction = soft_close_auction()
    bid(auction, UserFactory.create(), 1_000_000)
    before = Auction.objects.get(pk=auction.pk).state

    with pytest.raises(BidRejectedError) as error:
        bid(auction, UserFactory.create(), 1_000_001)

    assert error.value.code == "bid_too_low"
    assert error.value.minimum == {"amount": next_amount(1_000_000), "currency": "EUR"}
    assert Auction.objects.get(pk=auction.pk).state == before
    assert Bid.objects.count() == 1


@pytest.mark.django_db
def test_the_per_bidder_rate_limit(settings: Any) -> None:
    settings.BID_RATE_LIMIT = 3
    auction = soft_close_auction()
    buyer = UserFactory.create()
    for step in range(3):
        bid(
            auction, buyer, 1_000_000 + step * 100_000, max_amount=5_000_000 + step
        )  # the leader raises its ceiling

    with pytest.raises(BidRejectedError) as error:
        bid(auction, buyer, 9_000_000)

    assert (error.value.code, error.value.status_code) == ("rate_limited", 429)


@pytest.mark.django_db(transaction=True)
def test_concurrent_bidders_are_serialised_without_gaps_or_losses() -> None:
    auction = soft_close_auction()
    bidders = [UserFactory.create() for _ in range(12)]
    accepted: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def place(bidder: Any, amount: int) -> None:
        try:
            placed = bid(auction, bidder, amount)
            with lock:
                accepted.extend(event.seq for event in placed.events)
        except BidRejectedError as error:
            with lock:
                refused.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=place, args=(b, 1_000_000 + i * 50_000)) for i, b in enumerate(bidders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    auction.refresh_from_db()
    seqs = list(Bid.objects.filter(auction=auction).values_list("seq", flat=True))
    assert seqs == list(range(1, auction.last_seq + 1))  # gap-free
    assert sorted(accepted) == seqs  # every accepted bid is stored, none twice
    assert len(accepted) + len(refused) == len(bidders)
    assert set(refused) <= {"bid_too_low"}
    amounts = list(Bid.objects.filter(auction=auction).values_list("amount", flat=True))
    assert amounts == sorted(amounts)  # the price never went down


@pytest.mark.django_db
def test_an_auction_closes_once_with_its_winner() -> None:
    auction = soft_close_auction(reserve=1_200_000)
    winner = UserFactory.create()
    jumped = bid(auction, winner, 1_000_000, max_amount=2_000_000)
    assert [e.amount.amount for e in jumped.events] == [
        1_000_000,
        1_200_000,
    ]  # the proxy jumps to the reserve
    bid(auction, UserFactory.create(), 1_250_000)
    later = timezone.now() + timedelta(hours=2)

    closed = auctions_close_due(now=later)
    again = auctions_close_due(now=later)

    assert [c.auction.pk for c in closed] == [auction.pk]
    assert again == []
    auction.refresh_from_db()
    assert auction.winner_id == winner.pk
    assert auction.reserve_met
    assert auction.current_price == next_amount(1_250_000)
    assert auction.machine.status == MachineStatus.SOLD


def receive_published(auction: Auction, mode: str, action: Any) -> dict[str, Any]:
    """The first message broadcast for `auction` while `action` runs, as the watchers of
    `mode` (AUCTION_FANOUT) get it."""
    if mode == "channel_layer":
        layer = get_channel_layer()
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group_name(auction.pk), channel)
        try:
            action()
            message = async_to_sync(layer.receive)(channel)
        finally:
            async_to_sync(layer.group_discard)(group_name(auction.pk), channel)
        assert message["type"] == "auction.event"
        return dict(message["message"])
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_name(auction.pk))
    try:
        action()
        deadline = time.monotonic() + 10
        while (message := pubsub.get_message(timeout=1)) is None:
            assert time.monotonic() < deadline, "nothing was published"
        return dict(json.loads(message["data"]))
    finally:
        pubsub.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["hub", "channel_layer"])
def test_an_accepted_bid_is_broadcast_to_every_process(settings: Any, mode: str) -> None:
    settings.AUCTION_FANOUT = mode
    auction = soft_close_auction()
    buyer = UserFactory.create(username="broadcast-buyer")

    message = receive_published(auction, mode, lambda: bid(auction, buyer, 1_000_000))

    assert message["event"] == "new_bid"
    payload = message["payload"]
    assert payload["seq"] == 1
    assert payload["bid_count"] == 1
    assert payload["highest_bid"] == {
        "price": {"currency": "EUR", "amount": "10000.00", "minor": 1_000_000},
        "user": {"id": buyer.pk, "number": 1, "name": "Bidder 1"},  # never the username
        "automatic": False,
        "placed_at": payload["highest_bid"]["placed_at"],
    }


@pytest.mark.django_db
def test_the_event_log_names_bidders_by_their_number_in_the_auction_never_by_username() -> None:
    from auctions.models import AuctionEventRecord
    from auctions.selectors import auction_snapshot

    auction = open_auction(reserve=None)
    first, second = UserFactory.create(username="tanaka-real-name"), UserFactory.create(username="smith-real")
    for key, bidder in (("1", first), ("2", second), ("3", first)):
        minimum = auction_snapshot(Auction.objects.get(pk=auction.pk))["minimum_bid"]["minor"]
        bid_place(auction_id=auction.pk, bidder=bidder, amount=eur(minimum), idempotency_key=key)

    messages = [r.message for r in AuctionEventRecord.objects.filter(auction=auction).order_by("seq")]

    assert [m["payload"]["highest_bidder"]["number"] for m in messages] == [1, 2, 1]
    assert [m["payload"]["highest_bidder"]["name"] for m in messages] == ["Bidder 1", "Bidder 2", "Bidder 1"]
    assert "tanaka-real-name" not in json.dumps(messages)
    assert "smith-real" not in json.dumps(messages)
