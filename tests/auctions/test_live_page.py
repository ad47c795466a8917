"""Two real browsers bid against each other on the live page, served by a real ASGI server
(HTTP and WebSocket); each sees the other's bids without reloading."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from auctions.models import Bid
from auctions.rules import default_increments
from bench.common import asgi_server
from tests.conftest import database_url_for_subprocesses
from tests.factories import PASSWORD, MachineFactory, UserFactory, eur, model_with_specs, open_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_two_browsers_see_each_others_bids_live(browser: Any, screenshot: Any) -> None:
    machine = MachineFactory.create(model=model_with_specs(), title={"en": "Komatsu PC200-8 live auction"})
    timezone.now()
    auction = open_auction(machine=machine)
    UserFactory.create(username="tanaka")
    UserFactory.create(username="smith")
    environment = {"DATABASE_URL": database_url_for_subprocesses(), "ALLOWED_HOSTS": "127.0.0.1,localhost"}

    with asgi_server(settings="config.settings.test", extra_env=environment) as base:
        tanaka, smith = logged_in_page(browser, base, "tanaka"), logged_in_page(browser, base, "smith")
        for page in (tanaka, smith):
            page.goto(f"{base}/auctions/{auction.pk}/")
            page.wait_for_function("document.body.dataset.seq === '0'")
        for page in (tanaka, smith):  # presence: both pages count both watchers, live
            page.wait_for_function("document.getElementById('presence').textContent === '2'")

        tanaka.click("[data-testid=place-bid]")  # the form offers the minimum bid
        smith.wait_for_selector("#history li[data-seq='1']")
        assert "tanaka" in smith.locator("#history li[data-seq='1']").inner_text()
        # the form now offers the next valid amount, from the increment table
        assert (
            smith.locator("#amount").input_value()
            == eur(default_increments("EUR").next_amount(Bid.objects.get(seq=1).amount)).amount
        )

        smith.click("[data-testid=place-bid]")
        tanaka.wait_for_selector("#history li[data-seq='2']")
        assert "smith" in tanaka.locator("#history li[data-seq='2']").inner_text()
        assert tanaka.locator("#bid-count").inner_text() == "2"
        assert tanaka.locator("#price").inner_text() == smith.locator("#price").inner_text()
        screenshot(tanaka, "tanaka")
        screenshot(smith, "smith")

    assert list(Bid.objects.filter(auction=auction).values_list("seq", "bidder__username")) == [
        (1, "tanaka"),
        (2, "smith"),
    ]
