"""A seller starts an auction from their listing page in a real browser; only the owner sees
the form; bad input shows the service's reason and starts nothing; the form speaks Japanese."""

from __future__ import annotations

import re
from typing import Any

import pytest

from auctions.models import Auction
from marketplace.models import MachineStatus
from tests.auctions.test_live_page import logged_in_page
from tests.factories import PASSWORD, MachineFactory, UserFactory, model_with_specs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_seller_starts_an_auction_from_the_listing_and_others_see_the_live_link(
    live_server: Any, browser: Any, screenshot: Any
) -> None:
    machine = MachineFactory.create(model=model_with_specs(), title={"en": "Hitachi ZX135US auction"})
    UserFactory.create(username="kimura")
    buyer = logged_in_page(browser, live_server.url, "kimura")
    buyer.goto(f"{live_server.url}/machines/{machine.pk}/")
    assert buyer.locator("[data-testid=start-auction]").count() == 0  # not the owner

    seller = logged_in_page(browser, live_server.url, machine.seller.username)
    seller.goto(f"{live_server.url}/machines/{machine.pk}/")
    form = seller.locator("[data-testid=start-auction]")
    form.locator("select[name=kind]").select_option("soft_close")
    form.locator("input[name=duration_minutes]").fill("30")
    form.locator("input[name=starting_price]").fill("2500000")
    form.locator("input[name=reserve_price]").fill("3000000")
    screenshot(seller, "form")
    form.locator("button[type=submit]").click()
    seller.wait_for_url(re.compile(r".*/auctions/\d+/$"))

    auction = Auction.objects.get(machine=machine)
    assert seller.url.endswith(f"/auctions/{auction.pk}/")
    assert (
        auction.seller_id,
        auction.kind,
        auction.starting_price,
        auction.reserve_price,
        auction.extension_seconds,
    ) == (
        machine.seller_id,
        "soft_close",
        2_500_000,
        3_000_000,
        120,
    )
    assert auction.currency == machine.price_currency_id
    assert 29 * 60 < (auction.ends_at - auction.starts_at).total_seconds() <= 30 * 60
    machine.refresh_from_db()
    assert machine.status == MachineStatus.IN_AUCTION
    buyer.goto(f"{live_server.url}/machines/{machine.pk}/")
    buyer.click("[data-testid=live-auction]")
    buyer.wait_for_url(re.compile(rf".*/auctions/{auction.pk}/$"))


def test_a_bad_auction_form_shows_why_and_starts_nothing(live_server: Any, browser: Any) -> None:
    machine = MachineFactory.create(model=model_with_specs(), seller__primary_language_id="en")
    seller = logged_in_page(browser, live_server.url, machine.seller.username)
    seller.goto(f"{live_server.url}/machines/{machine.pk}/")
    form = seller.locator("[data-testid=start-auction]")
    form.locator("select[name=kind]").select_option("sudden_death")
    form.locator("input[name=starting_price]").fill("1000000")
    form.locator("input[name=duration_minutes]").fill("100000")  # the service refuses more than 30 days
    form.locator("button[type=submit]").click()
    seller.wait_for_selector(".messages .error")

    assert "30 days" in seller.locator(".messages").inner_text()
    assert seller.url.endswith(f"/machines/{machine.pk}/")
    assert not Auction.objects.filter(machine=machine).exists()
    machine.refresh_from_db()
    assert machine.status == MachineStatus.PUBLISHED


def test_the_auction_form_speaks_japanese(live_server: Any, browser: Any) -> None:
    machine = MachineFactory.create(model=model_with_specs())
    context = browser.new_context(locale="ja-JP", extra_http_headers={"Accept-Language": "ja"})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", machine.seller.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(f"{live_server.url}/machines/{machine.pk}/")

    form = page.locator("[data-testid=start-auction]")
    assert form.locator("h2").inner_text() == "オークションを始める"
    assert form.locator("button[type=submit]").inner_text() == "オークション開始"
    assert "期間（分）" in form.inner_text()  # noqa: RUF001 - Japanese uses full-width parentheses
    assert "サドンデス（延長なし）" in form.inner_text()  # noqa: RUF001
    context.close()
