"""On the live page, a buyer whose currency is not the auction's sees the price also
approximately in their own, and that follows the bids without a reload (issue 20); a real
ASGI server (the bids arrive over the WebSocket)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from auctions.services import bid_place
from bench.common import asgi_server
from marketplace.money import convert, format_money
from tests.auctions.test_live_page import logged_in_page, open_live, server_environment
from tests.factories import UserFactory, eur, open_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_price_in_the_buyer_s_currency_follows_the_bids(browser: Any, screenshot: Any) -> None:
    auction = open_auction(currency="EUR", starting=100_000)
    UserFactory.create(username="yen-buyer", display_currency_id="JPY")
    bidder = UserFactory.create(username="euro-bidder")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        page = logged_in_page(browser, base, "yen-buyer")
        open_live(page, base, auction)
        approx = page.get_by_test_id("price-approx")
        expect(approx).to_have_text("\u2248 " + format_money(convert(100_000, "EUR", "JPY"), "JPY"))
        expect(page.get_by_test_id("currency-hint")).to_have_text(
            "Bids are placed in EUR, the auction's currency."
        )

        bid_place(auction_id=auction.pk, bidder=bidder, amount=eur(123_456), idempotency_key="live-yen")

        expect(page.locator("#price")).to_have_text("€1,234.56")
        expect(approx).to_have_text("\u2248 " + format_money(convert(123_456, "EUR", "JPY"), "JPY"))
        screenshot(page, "bid")
        page.context.close()
