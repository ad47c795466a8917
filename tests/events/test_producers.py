"""Each event, emitted by the service that does the thing, says what the stores say happened:
against real PostgreSQL and Redis, through the sink into the event table and its views."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from rest_framework.test import APIClient

from auctions.models import Auction, Bid
from auctions.services import auction_close, bid_place
from auctions.services.bidding import BidRejectedError
from core.money import Money
from core.redis import get_redis
from events import producers
from events.emit import EventRejectedError, counters
from marketplace import services
from marketplace.models import Machine, User
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.events.conftest import sink_all, stored
from tests.factories import MachineFactory, SellerFactory, UserFactory, eur, model_with_specs, open_auction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("events_store")]


def outbox_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_outbox")
        (count,) = cursor.fetchone()
    return int(count)


def test_a_registration_is_one_user_registered_event_by_the_new_user() -> None:
    user = services.user_register(
        username="hanako", password="a long enough passphrase 42", email="h@example.jp", primary_language="ja"
    )
    assert sink_all() == 1
    (event,) = stored("user_registered")
    assert (event["user_id"], event["actor_user_id"], event["is_seller"], event["language"]) == (
        user.pk,
        user.pk,
        False,
        "ja",
    )
    assert event["country"] is None
    assert event["version"] == 1


def test_a_listing_s_creation_price_changes_and_publication_are_told_as_they_happened() -> None:
    seller = SellerFactory.create()
    machine = services.machine_create(
        seller=seller,
        model_id=model_with_specs().pk,
        year=2018,
        country="DE",
        price=Money(4_500_000, "EUR"),
        title={"en": "Tidy excavator"},
    )
    services.machine_update(actor=seller, machine_id=machine.pk, hours=5000)  # no price change: no event
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(4_250_000, "EUR"))
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(6_000_000_00, "JPY"))
    services.machine_publish(actor=seller, machine_id=machine.pk)
    sink_all()

    (created,) = stored("seller_created_machine")
    assert (created["machine_id"], created["model_id"], created["year"]) == (
        machine.pk,
        machine.model_id,
        2018,
    )
    assert created["category"] == machine.model.category.slug
    assert (created["price_amount"], created["price_currency"], created["price_minor"]) == (
        Decimal("45000.00"),
        "EUR",
        4_500_000,
    )
    changes = stored("seller_changed_price")
    assert [
        (c["old_price_minor"], c["old_price_currency"], c["new_price_minor"], c["new_price_currency"])
        for c in changes
    ] == [
        (4_500_000, "EUR", 4_250_000, "EUR"),
        (4_250_000, "EUR", 6_000_000_00, "JPY"),
    ]
    (published,) = stored("seller_published_machine")
    stored_price = Machine.objects.get(pk=machine.pk).price
    assert (published["price_minor"], published["price_currency"]) == (
        stored_price.minor,
        stored_price.currency,
    )
    assert {e["actor_user_id"] for e in [created, *changes, published]} == {seller.pk}


def test_watching_counts_the_watchers_the_table_holds() -> None:
    machine = MachineFactory.create()
    first, second = UserFactory.create(), UserFactory.create()
    services.watch_add(user=first, machine_id=machine.pk)
    services.watch_add(user=first, machine_id=machine.pk)  # idempotent: no second event
    services.watch_add(user=second, machine_id=machine.pk)
    services.watch_remove(user=first, machine_id=machine.pk)
    sink_all()
    assert [(e["actor_user_id"], e["watchers"]) for e in stored("buyer_watched_machine")] == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert [(e["actor_user_id"], e["watchers"]) for e in stored("buyer_unwatched_machine")] == [(first.pk, 1)]


def test_an_enquiry_s_messages_by_the_buyer_are_events_and_the_seller_s_are_not() -> None:
    machine = MachineFactory.create()
    buyer = UserFactory.create()
    enquiry = services.enquiry_send(buyer=buyer, machine_id=machine.pk, body="Is the undercarriage original?")
    services.enquiry_reply(author=machine.seller, enquiry_id=enquiry.pk, body="Yes.")
    services.enquiry_send(buyer=buyer, machine_id=machine.pk, body="Thanks!")
    sink_all()
    assert [
        (e["enquiry_id"], e["first_message"], e["message_length"]) for e in stored("buyer_sent_enquiry")
    ] == [
        (enquiry.pk, True, len("Is the undercarriage original?")),
        (enquiry.pk, False, len("Thanks!")),
    ]


def test_bids_are_told_once_each_with_the_stored_amount_or_the_reason_they_were_refused() -> None:
    auction = open_auction(starting=100_000, seconds=3600, extension=120)
    first, second = UserFactory.create(), UserFactory.create()
    bid_place(auction_id=auction.pk, bidder=first, amount=eur(100_000), idempotency_key="a")
    bid_place(auction_id=auction.pk, bidder=first, amount=eur(100_000), idempotency_key="a")  # a retry
    with pytest.raises(BidRejectedError):
        bid_place(auction_id=auction.pk, bidder=second, amount=eur(100_000), idempotency_key="b")
    bid_place(
        auction_id=auction.pk,
        bidder=second,
        amount=eur(120_000),
        max_amount=eur(200_000),
        idempotency_key="c",
    )
    sink_all()

    bids = stored("buyer_placed_bid")
    assert [(e["actor_user_id"], e["accepted"], e["rejection_code"], e["proxy"]) for e in bids] == [
        (first.pk, True, None, False),
        (second.pk, False, "bid_too_low", False),
        (second.pk, True, None, True),
    ]
    for event in (bids[0], bids[2]):
        kept = Bid.objects.get(auction=auction, seq=event["seq"])
        assert (kept.bidder_id, kept.amount) == (event["actor_user_id"], event["amount_minor"])
    assert bids[2]["max_amount_minor"] == 200_000
    assert bids[1]["seq"] is None
    (started,) = stored("seller_started_auction")
    assert (started["auction_id"], started["starting_price_minor"], started["has_reserve"]) == (
        auction.pk,
        100_000,
        False,
    )


def test_a_bid_in_the_last_minutes_tells_the_extension_and_the_close_tells_the_result() -> None:
    auction = open_auction(starting=100_000, seconds=30, extension=120)
    winner = UserFactory.create()
    bid_place(auction_id=auction.pk, bidder=winner, amount=eur(150_000), idempotency_key="w")
    auction.refresh_from_db()
    auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
    sink_all()

    (extended,) = stored("auction_extended")
    assert extended["ends_at"] == auction.ends_at
    assert extended["extended_by_s"] > 0
    (closed,) = stored("auction_closed")
    auction = Auction.objects.get(pk=auction.pk)
    assert (closed["result"], closed["bids"], closed["winning_amount_minor"]) == (
        "sold",
        1,
        auction.current_price,
    )
    assert auction.winner_id == winner.pk
    assert closed["winner_id"] == winner.pk


def test_an_auction_without_bids_closes_as_no_bids_without_an_amount() -> None:
    auction = open_auction(seconds=30)
    auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
    sink_all()
    (closed,) = stored("auction_closed")
    assert (closed["result"], closed["winning_amount_amount"], closed["bids"]) == ("no_bids", None, 0)
    assert closed["winner_id"] is None


@pytest.mark.usefixtures("machine_index")
def test_a_search_event_holds_the_count_and_the_listings_the_answer_held() -> None:
    machines = [MachineFactory.create(title={"en": f"Crawler excavator {n}"}) for n in range(3)]
    apply_changes({"machine": {m.pk for m in machines}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    answer = (
        APIClient()
        .get(
            "/api/v1/search/",
            {"q": "excavator", "limit": "2", "year_min": "2000", "utm_source": "mail", "x" * 300: "y"},
        )
        .json()
    )
    sink_all()

    (event,) = stored("buyer_searched_machines")
    assert event["result_count"] == answer["count"] == 3
    assert event["result_ids"] == [hit["id"] for hit in answer["results"]]
    assert (event["query"], event["channel"], event["page"], event["relaxed"]) == (
        "excavator",
        "api",
        1,
        False,
    )
    assert event["filters"] == {"year_min": "2000"}  # parameters a search ignores are not filters
    assert event["latency_ms"] > 0


def test_a_listing_view_from_a_search_result_is_a_click_and_a_view_by_one_visitor() -> None:
    machine = MachineFactory.create()
    browser = Client()
    browser.get(f"/machines/{machine.pk}/")
    search = str(uuid.uuid4())
    page = browser.get(f"/machines/{machine.pk}/", {"sr": search, "pos": "3"})
    browser.get(f"/machines/{machine.pk}/", {"sr": "not-a-uuid", "pos": "3"})
    browser.get("/machines/999999999/")  # missing: 404, no view
    sink_all()

    views = stored("buyer_viewed_machine")
    assert [(v["machine_id"], v["position"], v["search_event_id"]) for v in views] == [
        (machine.pk, None, None),
        (machine.pk, 3, uuid.UUID(search)),
        (machine.pk, None, None),
    ]
    assert len({v["visitor_id"] for v in views}) == 1
    assert views[0]["visitor_id"] == page.client.cookies["visitor"].value
    (click,) = stored("buyer_clicked_search_result")
    assert (click["machine_id"], click["position"], str(click["search_event_id"])) == (machine.pk, 3, search)


def test_a_rolled_back_write_emits_nothing() -> None:
    machine = MachineFactory.create()
    buyer = UserFactory.create()

    def request_that_fails() -> None:
        with transaction.atomic():
            services.watch_add(user=buyer, machine_id=machine.pk)
            assert outbox_rows() == 1
            raise RuntimeError("the request changed its mind")

    with pytest.raises(RuntimeError, match="changed its mind"):
        request_that_fails()
    assert outbox_rows() == 0
    assert sink_all() == 0


@pytest.mark.django_db(transaction=True)
def test_a_business_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        producers.buyer_watched_machine(machine_id=1, watchers=1)


def test_a_malformed_event_is_rejected_at_the_producer_and_counted() -> None:
    with pytest.raises(EventRejectedError, match="machine_id: is below 1"):
        producers.buyer_viewed_machine(machine_id=0)
    with override_settings(EVENTS_STRICT=False):
        assert producers.buyer_viewed_machine(machine_id=0) is None
        assert producers.buyer_viewed_machine(machine_id="12") is None  # type: ignore[arg-type]
    assert counters().get("rejected:buyer_viewed_machine") == 3
    assert get_redis().xlen(settings.EVENTS_STREAM) == 0
    assert producers.buyer_viewed_machine(machine_id=12) is not None
    assert counters()["emitted:buyer_viewed_machine"] == 1


def test_a_business_event_counts_as_emitted_when_its_write_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    machine = MachineFactory.create()
    buyer: User = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.watch_add(user=buyer, machine_id=machine.pk)
    assert "emitted:buyer_watched_machine" not in counters()  # not before the commit
    for callback in callbacks:
        callback()
    assert counters()["emitted:buyer_watched_machine"] == 1
    assert sink_all() == 1
    assert counters()["sunk"] == 1


@pytest.mark.usefixtures("machine_index")
def test_a_result_link_of_the_search_page_carries_its_search_to_the_click() -> None:
    machines = [MachineFactory.create(title={"en": f"Wheel loader {n}"}) for n in range(2)]
    apply_changes({"machine": {m.pk for m in machines}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    browser = Client()
    page = browser.get("/search/", {"q": "loader"}).content.decode()
    links = re.findall(
        r'<h3 translate="no"><a href="(/machines/(\d+)/\?sr=([0-9a-f-]+)&amp;pos=(\d+))">', page
    )
    assert [int(position) for *_, position in links] == [1, 2]
    url, machine_id, search_id, _ = links[1]
    browser.get(url.replace("&amp;", "&"))
    sink_all()

    (searched,) = stored("buyer_searched_machines")
    assert (str(searched["event_id"]), searched["channel"], searched["result_count"]) == (
        search_id,
        "page",
        2,
    )
    assert searched["result_ids"] == [int(found) for _, found, _, _ in links]
    (click,) = stored("buyer_clicked_search_result")
    assert (str(click["search_event_id"]), click["machine_id"], click["position"]) == (
        search_id,
        int(machine_id),
        2,
    )
    assert click["visitor_id"] == searched["visitor_id"] is not None


@pytest.mark.usefixtures("machine_index")
def test_the_visitor_cookies_come_with_pages_only() -> None:
    page = Client().get("/")
    assert {"visitor", "visit"} <= set(page.cookies)
    # a Set-Cookie on a stylesheet would keep a CDN from caching it; API clients have tokens
    assert not set(Client().get("/static/css/site.css").cookies) & {"visitor", "visit"}
    assert not set(APIClient().get("/api/v1/search/").cookies) & {"visitor", "visit"}
