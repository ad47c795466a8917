"""The staff's analytics page and /metrics, from events written as the sink writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from events import producers
from events.selectors import funnel, searches_by_day, top_queries
from events.sink import get_sink
from events.sql import rebuild_funnel
from tests.events.conftest import crafted
from tests.factories import UserFactory
from tests.marketplace.test_pages import log_in

pytestmark = pytest.mark.usefixtures("events_store")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def search(query: str, count: int, when: datetime, *, latency: float = 20.0, **who: Any) -> dict[str, Any]:
    return crafted(
        "buyer_searched_machines",
        {
            "query": query,
            "language": "ja",
            "filters": {"category": "excavators"} if count == 0 else {},
            "result_count": count,
            "relaxed": False,
            "latency_ms": latency,
            "page": 1,
            "result_ids": list(range(1, min(count, 20) + 1)),
            "channel": "page",
        },
        when,
        **who,
    )


def watched(machine: int, when: datetime, **who: Any) -> dict[str, Any]:
    return crafted("buyer_watched_machine", {"machine_id": machine, "watchers": 1}, when, **who)


def viewed(machine: int, when: datetime, **who: Any) -> dict[str, Any]:
    return crafted(
        "buyer_viewed_machine",
        {"machine_id": machine, "position": None, "search_event_id": None},
        when,
        **who,
    )


def bid(user: int, when: datetime, accepted: bool = True) -> dict[str, Any]:
    money = {"amount": "1000.00", "currency": "EUR", "minor": 100_000}
    return crafted(
        "buyer_placed_bid",
        {
            "auction_id": 5,
            "machine_id": 7,
            "amount": money,
            "max_amount": None,
            "proxy": False,
            "accepted": accepted,
            "rejection_code": None if accepted else "bid_too_low",
            "seq": 1 if accepted else None,
        },
        when,
        user_id=user,
    )


def closed(winner: int, when: datetime) -> dict[str, Any]:
    money = {"amount": "1000.00", "currency": "EUR", "minor": 100_000}
    return crafted(
        "auction_closed",
        {
            "auction_id": 5,
            "machine_id": 7,
            "result": "sold",
            "winning_amount": money,
            "bids": 1,
            "winner_id": winner,
        },
        when,
    )


@pytest.mark.django_db
def test_searches_by_day_count_the_empty_ones_and_the_median_time() -> None:
    get_sink().write(
        [
            search("pc200", 12, NOW - timedelta(hours=1), latency=10),
            search("pc200", 12, NOW - timedelta(hours=2), latency=30),
            search("zx999", 0, NOW - timedelta(hours=3), latency=50),
            search("d6", 3, NOW - timedelta(days=2)),
            search("old", 3, NOW - timedelta(days=40)),
        ]
    )
    days = searches_by_day(now=NOW, days=30)
    assert len(days) == 30
    assert (days[-1].day, days[-1].searches, days[-1].zero_results, days[-1].median_latency_ms) == (
        NOW.date(),
        3,
        1,
        30.0,
    )
    assert days[-3].searches == 1
    assert sum(day.searches for day in days) == 4


@pytest.mark.django_db
def test_top_and_zero_result_queries_are_grouped_case_blind_with_their_latest_filters() -> None:
    get_sink().write(
        [
            search("PC200 ", 12, NOW - timedelta(hours=3)),
            search("pc200", 15, NOW - timedelta(hours=1)),
            search("zx999", 0, NOW - timedelta(hours=2)),
            search("", 900, NOW - timedelta(hours=2)),  # browsing without words is not a query
        ]
    )
    top = top_queries(now=NOW)
    assert [(q.query, q.searches, q.results) for q in top] == [("pc200", 2, 15), ("zx999", 1, 0)]
    (zero,) = top_queries(now=NOW, zero_results=True)
    assert (zero.query, zero.language, zero.filters) == ("zx999", "ja", {"category": "excavators"})


@pytest.mark.django_db
def test_the_funnel_follows_people_and_a_visitor_who_signs_in_is_one_person() -> None:
    t = NOW - timedelta(hours=5)
    get_sink().write(
        [
            # a visitor searches and views anonymously, signs in (user 1), watches, bids and wins
            search("pc200", 3, t, visitor_id="visitor-a"),
            viewed(7, t, visitor_id="visitor-a"),
            watched(7, t, user_id=1, visitor_id="visitor-a"),
            bid(1, t),
            closed(1, t),
            # another searches and views, bids without watching: stops at the view
            search("pc200", 3, t, user_id=2, visitor_id="visitor-b"),
            viewed(7, t, user_id=2, visitor_id="visitor-b"),
            bid(2, t),
            # a third only searches; a fourth only views
            search("d6", 3, t, visitor_id="visitor-c"),
            viewed(9, t, visitor_id="visitor-d"),
            # a refused bid is not a bid
            search("pc200", 3, t, user_id=3),
            viewed(7, t, user_id=3),
            watched(7, t, user_id=3),
            bid(3, t, accepted=False),
        ]
    )
    assert funnel(now=NOW) == {"searched": 4, "viewed": 3, "watched": 2, "bid": 1, "won": 1}


@pytest.mark.django_db
def test_the_page_is_for_staff_and_links_each_empty_search_to_open_it() -> None:
    get_sink().write([search("zx999", 0, datetime.now(UTC) - timedelta(hours=1))])
    client = Client()
    client.force_login(UserFactory.create())
    assert client.get("/staff/analytics/").status_code == 302  # to the admin's login
    client.force_login(UserFactory.create(is_staff=True))
    page = client.get("/staff/analytics/").content.decode()
    assert re.search(r'href="/search/\?q=zx999&amp;lang=ja&amp;category=excavators">zx999</a>', page)
    assert 'aria-label="Searches per day over the period, 1 in all"' in page
    assert client.get("/staff/analytics/", {"days": "9999"}).status_code == 200  # an unknown period: 30 days


@pytest.mark.django_db
def test_metrics_count_events_for_the_loopback_and_the_token_only(settings: Any) -> None:
    producers.buyer_viewed_machine(machine_id=4)
    producers.buyer_viewed_machine(machine_id=5)
    body = Client().get("/metrics").content.decode()
    assert 'marketplace_events_emitted_total{event="buyer_viewed_machine"} 2.0' in body
    assert "marketplace_events_stream_length 2.0" in body
    assert "marketplace_events_stream_lag 2.0" in body
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    outside = Client(REMOTE_ADDR="203.0.113.9")
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_analytics_page_draws_its_charts_at_both_widths(
    live_server: Any, browser: Any, screenshot: Any
) -> None:
    UserFactory.create(username="staff-analyst", is_staff=True)
    now = datetime.now(UTC)
    get_sink().write(
        [search("pc200", 5, now - timedelta(days=day, minutes=1)) for day in range(0, 20, 2)]
        + [search("zx999", 0, now - timedelta(hours=2))]
    )
    for width in (390, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server.url, "staff-analyst")
        page.goto(f"{live_server.url}/staff/analytics/")
        assert page.locator("[data-testid=searches] svg.daily-chart").first.locator("rect").count() == 30
        assert page.locator(".funnel li").count() == 5
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"analytics-{width}")
        context.close()


@pytest.mark.django_db
def test_what_a_visitor_did_before_signing_in_joins_the_user_across_batches() -> None:
    t = NOW - timedelta(days=3)
    sink = get_sink()
    sink.write([search("pc200", 3, t, visitor_id="visitor-x"), viewed(7, t, visitor_id="visitor-x")])
    assert funnel(now=NOW) == {"searched": 1, "viewed": 1, "watched": 0, "bid": 0, "won": 0}
    sink.write([watched(7, t + timedelta(days=1), user_id=42, visitor_id="visitor-x")])
    sink.write([bid(42, t + timedelta(days=2)), closed(42, t + timedelta(days=2))])
    sink.write([viewed(9, t + timedelta(days=2), visitor_id="visitor-x")])  # signed out later: still 42
    assert funnel(now=NOW) == {"searched": 1, "viewed": 1, "watched": 1, "bid": 1, "won": 1}
    assert funnel(now=NOW, days=2) == {"searched": 0, "viewed": 0, "watched": 0, "bid": 0, "won": 0}


@pytest.mark.django_db
def test_the_rollup_rebuilt_from_the_table_says_what_the_sink_kept_saying() -> None:
    t = NOW - timedelta(hours=5)
    sink = get_sink()
    for batch in (
        [search("a", 3, t, visitor_id="v1"), viewed(1, t, visitor_id="v1"), search("b", 1, t, user_id=5)],
        [watched(1, t, user_id=9, visitor_id="v1"), viewed(2, t, user_id=5), watched(2, t, user_id=5)],
        [bid(5, t), bid(9, t, accepted=False), closed(5, t)],
    ):
        sink.write(batch)
        sink.write(batch)  # again: kept once, rolled up the same
    incremental = funnel(now=NOW)
    rebuild_funnel()
    assert funnel(now=NOW) == incremental == {"searched": 2, "viewed": 2, "watched": 2, "bid": 1, "won": 1}
