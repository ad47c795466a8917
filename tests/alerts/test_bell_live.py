"""The live bell in Chromium (issue 21): a buyer with two pages open is outbid by another
buyer's bid placed through the auctions' service in this process, and both pages' bell count
goes up without a reload; marking everything read on the notifications page brings the other
page's count back to zero, live. Against a real ASGI server (`python -m core.server`)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from alerts.models import Notification
from auctions.services import bid_place
from bench.common import asgi_server
from tests.auctions.test_live_page import DESK, PHONE, logged_in_page, server_environment
from tests.factories import UserFactory, eur, open_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_widths(page: Any, screenshot: Any, label: str) -> None:
    """Screenshots at a phone's and a desk's width; at neither does the page scroll sideways."""
    for width, height in (PHONE, DESK):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (label, width)
        screenshot(page, f"{label}-{width}")


def test_an_outbid_reaches_both_open_pages_and_marking_all_read_clears_the_other(
    browser: Any, screenshot: Any
) -> None:
    auction = open_auction(starting=100_000)
    alice = UserFactory.create(username="bell-alice")
    bob = UserFactory.create(username="bell-bob")
    bid_place(auction_id=auction.pk, bidder=alice, amount=eur(100_000), idempotency_key="a1")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        home = logged_in_page(browser, base, "bell-alice")
        listing = home.context.new_page()
        listing.goto(f"{base}/machines/{auction.machine_id}/")
        bells = [home.get_by_test_id("bell"), listing.get_by_test_id("bell")]
        for bell in bells:  # the stream's first event: from now on nothing told is missed
            expect(bell).to_have_attribute("data-live", "true")
        for page in (home, listing):
            expect(page.get_by_test_id("bell-count")).to_have_attribute("data-count", "0")
            expect(page.get_by_test_id("bell-count")).to_be_hidden()

        bid_place(auction_id=auction.pk, bidder=bob, amount=eur(150_000), idempotency_key="b1")

        for page in (home, listing):
            count = page.get_by_test_id("bell-count")
            expect(count).to_have_text("1")
            expect(count).to_be_visible()
            expect(page.get_by_test_id("bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
            expect(page.get_by_test_id("bell-announce")).to_contain_text("You were outbid on")
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
        both_widths(listing, screenshot, "bell")

        home.get_by_test_id("bell").click()
        home.wait_for_url(f"{base}/notifications/")
        (item,) = home.locator("[data-notification]").all()
        expect(item).to_have_attribute("data-read", "false")
        expect(item).to_contain_text("You were outbid on")
        both_widths(home, screenshot, "notifications")
        home.get_by_test_id("mark-all-read").click()
        expect(home.locator("[data-notification]")).to_have_attribute("data-read", "true")

        expect(listing.get_by_test_id("bell-count")).to_have_attribute("data-count", "0")
        expect(listing.get_by_test_id("bell-count")).to_be_hidden()
        assert listing.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
        home.context.close()


def test_the_bell_and_the_page_in_japanese(browser: Any, screenshot: Any) -> None:
    auction = open_auction(starting=100_000)
    sato = UserFactory.create(username="bell-sato", primary_language_id="ja")
    other = UserFactory.create(username="bell-other")
    bid_place(auction_id=auction.pk, bidder=sato, amount=eur(100_000), idempotency_key="s1")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        page = logged_in_page(browser, base, "bell-sato", language="ja")
        page.goto(f"{base}/notifications/?lang=ja")
        expect(page.get_by_test_id("bell")).to_have_attribute("data-live", "true")
        bid_place(auction_id=auction.pk, bidder=other, amount=eur(150_000), idempotency_key="o1")
        expect(page.get_by_test_id("bell")).to_have_attribute(
            "aria-label", "\u304a\u77e5\u3089\u305b (\u672a\u8aad 1 \u4ef6)"
        )
        expect(page.get_by_test_id("bell-announce")).to_contain_text("\u4e0a\u56de\u308b\u5165\u672d")
        both_widths(page, screenshot, "bell-ja")
        page.reload()
        expect(page.locator("[data-notification]")).to_contain_text("\u4e0a\u56de\u308b\u5165\u672d")
        page.get_by_test_id("mark-read").click()
        expect(page.locator("[data-notification]")).to_have_attribute("data-read", "true")
        expect(page.get_by_test_id("bell-count")).to_have_attribute("data-count", "0")
        both_widths(page, screenshot, "notifications-ja")
        page.context.close()
