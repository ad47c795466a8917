"""Auction alerts end to end through the auctions' own services (bids, closing, reminders):
each is written in the transaction of what it tells, to the right people only, once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from alerts.models import Notification
from alerts.selectors import sentence
from auctions.models import Auction
from auctions.services import auction_close, auction_create, auction_reminders_due, bid_place
from auctions.services.reminders import due_stage
from core.money import Money
from marketplace.services import watch_add
from tests.factories import MachineFactory, UserFactory, eur, model_with_specs, open_auction

pytestmark = pytest.mark.django_db


def told(user: Any, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(user=user).order_by("id")
    return list(found.filter(kind=kind) if kind else found)


def kinds(user: Any) -> list[str]:
    return [n.kind for n in told(user)]


def bid(auction: Auction, bidder: Any, minor: int, key: str, maximum: int | None = None) -> None:
    bid_place(
        auction_id=auction.pk,
        bidder=bidder,
        amount=eur(minor),
        max_amount=eur(maximum) if maximum else None,
        idempotency_key=key,
    )


def test_a_higher_bid_tells_the_previous_leader_only() -> None:
    auction = open_auction(starting=100_000)
    alice, bob, carol = UserFactory.create_batch(3)
    bid(auction, alice, 100_000, "a1")
    assert told(alice) == []

    bid(auction, bob, 150_000, "b1")

    (outbid,) = told(alice, "outbid")
    auction.refresh_from_db()
    assert outbid.dedupe_key == f"auction:{auction.pk}:outbid:{auction.last_seq}"
    assert outbid.link == f"/auctions/{auction.pk}/"
    assert outbid.machine_id == auction.machine_id
    with override("en"):
        assert sentence(outbid).endswith(": now €1,500.00")
    assert told(bob) == []
    assert told(carol) == []

    bid(auction, carol, 200_000, "c1")
    assert [n.kind for n in told(bob)] == ["outbid"]
    assert len(told(alice, "outbid")) == 1  # not told again: someone else lost the lead now


def test_a_proxy_that_still_holds_the_lead_outbids_nobody_and_a_broken_maximum_does() -> None:
    auction = open_auction(starting=100_000)
    alice, bob = UserFactory.create_batch(2)
    bid(auction, alice, 100_000, "a1", maximum=300_000)

    bid(auction, bob, 150_000, "b1")  # alice's proxy answers at once: she still leads
    auction.refresh_from_db()
    assert auction.state["leader_id"] == str(alice.pk)
    assert told(alice, "outbid") == []
    assert told(bob, "outbid") == []  # never led: the bid's reply says so

    bid(auction, bob, 400_000, "b2")  # over her maximum
    auction.refresh_from_db()
    assert auction.state["leader_id"] == str(bob.pk)
    (outbid,) = told(alice, "outbid")
    assert outbid.dedupe_key == f"auction:{auction.pk}:outbid:{auction.last_seq}"

    bid(auction, alice, 999_000, "a2", maximum=2_000_000)
    assert [n.kind for n in told(bob)] == ["outbid"]


def test_the_leader_raising_their_own_bid_is_not_outbid_and_a_retry_tells_nothing_again() -> None:
    auction = open_auction(starting=100_000)
    alice, bob = UserFactory.create_batch(2)
    bid(auction, alice, 100_000, "a1")
    bid(auction, alice, 150_000, "a2")
    bid(auction, bob, 200_000, "b1")
    bid(auction, bob, 200_000, "b1")  # the same request again
    assert len(told(alice, "outbid")) == 1
    assert told(bob, "outbid") == []


def test_the_seller_hears_of_each_batch_of_new_bids_with_its_price() -> None:
    auction = open_auction(starting=100_000)
    alice, bob = UserFactory.create_batch(2)
    bid(auction, alice, 100_000, "a1")
    bid(auction, bob, 120_000, "b1")
    new_bids = told(auction.seller, "new_bid")
    assert len(new_bids) == 2
    with override("en"):
        assert [sentence(n).split(": ")[-1] for n in new_bids] == ["€1,000.00", "€1,200.00"]


def test_closing_tells_the_winner_the_losers_and_the_seller() -> None:
    auction = open_auction(starting=100_000)
    alice, bob, carol, watcher = UserFactory.create_batch(4)
    watch_add(user=watcher, machine_id=auction.machine_id)
    bid(auction, alice, 100_000, "a1")
    bid(auction, bob, 150_000, "b1")
    bid(auction, carol, 200_000, "c1")
    auction.refresh_from_db()

    auction_close(auction_id=auction.pk, now=auction.ends_at)
    auction_close(auction_id=auction.pk, now=auction.ends_at)  # closed already: nothing again

    (won,) = told(carol, "auction_won")
    assert told(alice, "auction_lost")
    assert told(bob, "auction_lost")
    assert told(carol, "auction_lost") == []
    assert told(watcher) == []
    (ended,) = told(auction.seller, "auction_ended")
    with override("en"):
        assert sentence(won).endswith("at €2,000.00")
        assert sentence(ended).endswith("ended: sold at €2,000.00")
    with override("ja"):
        assert "€2,000.00" in sentence(ended)


def test_an_auction_below_its_reserve_tells_every_bidder_and_the_seller() -> None:
    auction = open_auction(starting=100_000, reserve=500_000)
    alice, bob = UserFactory.create_batch(2)
    bid(auction, alice, 100_000, "a1")
    bid(auction, bob, 150_000, "b1")
    auction.refresh_from_db()
    auction_close(auction_id=auction.pk, now=auction.ends_at)

    for bidder in (alice, bob):
        assert [n.kind for n in told(bidder) if n.kind.startswith("auction_")] == ["auction_reserve_not_met"]
    (ended,) = told(auction.seller, "auction_ended")
    assert ended.params["result"] == "reserve_not_met"
    with override("en"):
        assert sentence(ended).endswith("the reserve was not met (highest bid €1,500.00)")


def test_an_auction_without_bids_tells_its_seller_so() -> None:
    auction = open_auction()
    auction_close(auction_id=auction.pk, now=auction.ends_at)
    (ended,) = told(auction.seller)
    with override("en"):
        assert sentence(ended).endswith("ended: no bids")


def future_auction(*, starts_in: timedelta, lasts: timedelta) -> Auction:
    machine = MachineFactory.create(model=model_with_specs())
    now = timezone.now()
    return auction_create(
        seller=machine.seller,
        machine_id=machine.pk,
        kind="soft_close",
        starts_at=now + starts_in,
        ends_at=now + starts_in + lasts,
        extension_seconds=900,
        starting_price=Money(100_000, "EUR"),
    )


def test_reminders_reach_watchers_and_bidders_once_each_at_start_one_hour_and_ten_minutes() -> None:
    auction = future_auction(starts_in=timedelta(minutes=5), lasts=timedelta(hours=3))
    watcher, bidder, stranger = UserFactory.create_batch(3)
    watch_add(user=watcher, machine_id=auction.machine_id)
    starts, ends = auction.starts_at, auction.ends_at

    assert auction_reminders_due(now=starts - timedelta(seconds=1)) == []
    auction_reminders_due(now=starts)
    auction_reminders_due(now=starts + timedelta(minutes=1))  # nothing new
    assert kinds(watcher) == ["auction_starting"]

    bid_place(auction_id=auction.pk, bidder=bidder, amount=eur(100_000), idempotency_key="b", now=starts)
    auction_reminders_due(now=ends - timedelta(hours=1, seconds=1))
    assert kinds(bidder) == []
    auction_reminders_due(now=ends - timedelta(hours=1))
    auction_reminders_due(now=ends - timedelta(minutes=30))
    assert kinds(watcher) == ["auction_starting", "auction_ending_1h"]
    assert kinds(bidder) == ["auction_ending_1h"]

    auction_reminders_due(now=ends - timedelta(minutes=10))
    assert kinds(watcher)[-1] == kinds(bidder)[-1] == "auction_ending_10m"
    (reminder,) = told(bidder, "auction_ending_10m")
    assert reminder.dedupe_key == f"auction:{auction.pk}:ending_10m"
    assert told(stranger) == []
    assert told(auction.seller, "auction_ending_10m") == []

    # a late bid extends the end by 15 minutes: no reminder is told again
    bid_place(
        auction_id=auction.pk,
        bidder=watcher,
        amount=eur(120_000),
        idempotency_key="w",
        now=ends - timedelta(minutes=1),
    )
    auction.refresh_from_db()
    assert auction.ends_at > ends + timedelta(minutes=10)
    for moment in (ends, auction.ends_at - timedelta(minutes=59), auction.ends_at - timedelta(minutes=9)):
        auction_reminders_due(now=moment)
    assert len(told(bidder, "auction_ending_1h")) == len(told(bidder, "auction_ending_10m")) == 1
    assert len(told(watcher, "auction_ending_10m")) == 1


def test_an_auction_first_seen_within_the_hour_tells_only_the_stage_it_is_at() -> None:
    auction = future_auction(starts_in=timedelta(minutes=1), lasts=timedelta(minutes=50))
    watcher = UserFactory.create()
    watch_add(user=watcher, machine_id=auction.machine_id)

    auction_reminders_due(now=auction.starts_at + timedelta(seconds=30))
    assert kinds(watcher) == ["auction_ending_1h"]
    auction_reminders_due(now=auction.ends_at - timedelta(minutes=5))
    assert kinds(watcher) == ["auction_ending_1h", "auction_ending_10m"]
    auction.refresh_from_db()
    assert auction.reminded == 3


def test_a_start_long_past_is_no_news() -> None:
    auction = open_auction(seconds=6 * 3600, started_seconds_ago=2 * 3600)
    watcher = UserFactory.create()
    watch_add(user=watcher, machine_id=auction.machine_id)
    (result,) = auction_reminders_due(now=timezone.now())
    assert result.kind is None
    assert told(watcher) == []
    assert auction_reminders_due(now=timezone.now()) == []  # the stage was passed, not rescanned


@pytest.mark.parametrize(
    ("minutes_left", "stage"), [(-1, 3), (0, 3), (10, 3), (11, 2), (60, 2), (61, 1), (600, 1)]
)
def test_the_stage_an_auction_is_at(minutes_left: int, stage: int) -> None:
    now = timezone.now()
    assert (
        due_stage(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(minutes=minutes_left), now=now)
        == stage
    )
    assert due_stage(starts_at=now + timedelta(seconds=1), ends_at=now + timedelta(hours=5), now=now) == 0


@pytest.mark.django_db(transaction=True)  # the command closes old connections, as a process does
def test_the_closer_s_loop_reminds() -> None:
    auction = open_auction(seconds=30 * 60, started_seconds_ago=2 * 3600)
    watcher = UserFactory.create()
    watch_add(user=watcher, machine_id=auction.machine_id)
    call_command("auction_closer", "--once", stdout=io.StringIO())
    assert kinds(watcher) == ["auction_ending_1h"]
