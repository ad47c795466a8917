"""Every page of the buyer and seller journeys at a phone's width and a laptop's, in a real
browser: none scrolls sideways (issue 20: the search page was 656 px wide on a 390 px
screen), and each is saved as a screenshot under var/reports/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import MachineFactory, SellerFactory, UserFactory, model_with_specs, open_auction
from tests.marketplace.test_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1366]


@pytest.fixture
def journey(machine_index: str) -> dict[str, Any]:
    seller = SellerFactory.create(username="layout-seller", company_name="Layout Machinery GmbH")
    machine = MachineFactory.create(
        seller=seller, model=model_with_specs(), title={"en": "Komatsu PC200-8 " * 6}
    )
    auction = open_auction(machine=MachineFactory.create(seller=seller, model=machine.model))
    buyer = UserFactory.create(username="layout-buyer")
    UserFactory.create(username="layout-staff", is_staff=True)
    return {"seller": seller, "buyer": buyer, "machine": machine, "auction": auction}


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(
    live_server: Any, browser: Any, screenshot: Any, journey: dict[str, Any], width: int
) -> None:
    machine, auction = journey["machine"], journey["auction"]
    public = {
        "home": "/",
        "search": "/search/?q=komatsu",
        "listing": f"/machines/{machine.pk}/",
        "seller": f"/sellers/{journey['seller'].pk}/",
        "auctions": "/auctions/",
        "auction": f"/auctions/{auction.pk}/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "not-found": "/machines/999999999/",
    }
    as_seller = {
        "dashboard": "/sell/",
        "listing-form": f"/sell/{machine.pk}/edit/",
        "new-listing": "/sell/new/",
    }
    as_buyer = {"watchlist": "/watchlist/"}
    as_staff = {"analytics": "/staff/analytics/"}
    wide: list[str] = []
    for username, pages in (
        (None, public),
        ("layout-seller", as_seller),
        ("layout-buyer", as_buyer),
        ("layout-staff", as_staff),
    ):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        page = context.new_page()
        if username:
            log_in(page, live_server.url, username)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            if not fits(page):
                wide.append(f"{name}: {page.evaluate('document.documentElement.scrollWidth')} px")
            screenshot(page, name)
        context.close()

    assert wide == []
