"""The watchlist follows watched auctions live (issue 20): a bid placed anywhere moves the
card's price without a reload, and the card says when the auction has ended; one stream for
all of them, served by a real ASGI server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from auctions.services import auction_close, bid_place
from bench.common import asgi_server
from marketplace.money import format_money
from marketplace.services import watch_add
from tests.auctions.test_live_page import logged_in_page, server_environment
from tests.factories import UserFactory, eur, open_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_watched_auction_s_price_and_end_reach_the_watchlist_live(browser: Any, screenshot: Any) -> None:
    auction = open_auction(starting=100_000)
    watcher, bidder = UserFactory.create(username="watch-live"), UserFactory.create(username="bid-live")
    watch_add(user=watcher, machine_id=auction.machine_id)

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        page = logged_in_page(browser, base, "watch-live")
        page.goto(f"{base}/watchlist/")
        card = page.locator(f".watch-auction[data-auction='{auction.pk}']")
        assert card.locator(".live-price").inner_text() == "€1,000.00"

        bid_place(auction_id=auction.pk, bidder=bidder, amount=eur(150_000), idempotency_key="live-1")
        page.wait_for_function(
            "([id, text]) => document.querySelector(`.watch-auction[data-auction='${id}'] .live-price`).textContent === text",
            arg=[auction.pk, format_money(150_000, "EUR")],
        )
        screenshot(page, "bid")

        auction.refresh_from_db()
        auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
        page.wait_for_selector(f".watch-auction[data-auction='{auction.pk}'][data-ended=true]")
        assert card.locator(".live-state").inner_text() == "Auction ended"
