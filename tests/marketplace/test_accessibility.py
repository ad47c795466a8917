"""axe-core (the npm package, installed by `make install` under var/node) finds no serious or
critical accessibility violations on the buyer's and the seller's pages (issue 20)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from marketplace.models import Machine
from marketplace.services import watch_add
from tests.factories import SellerFactory, UserFactory, open_auction
from tests.marketplace.test_pages import log_in
from tests.search.catalogue import build_catalogue, fresh_machine_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes']][:3]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("width", [390, 1366])
def test_no_serious_or_critical_violations_on_the_journeys_pages(
    live_server: Any, browser: Any, screenshot: Any, width: int
) -> None:
    assert AXE.exists(), "run `make install` (ops/stack.sh install) to fetch axe-core"
    fresh_machine_index()
    seller = SellerFactory.create(username="axe-seller", company_name="Axe Machinery")
    ids = build_catalogue(seller)
    buyer = UserFactory.create(username="axe-buyer")
    UserFactory.create(username="axe-staff", is_staff=True)
    watch_add(user=buyer, machine_id=ids["pc200-en"])
    auction = open_auction(machine=Machine.objects.get(pk=ids["zx200-ja"]))
    journeys = {
        None: {
            "home": "/",
            "search": "/search/?q=excavator&maker=komatsu",
            "listing": f"/machines/{ids['pc200-en']}/",
            "seller": f"/sellers/{seller.pk}/",
            "auction": f"/auctions/{auction.pk}/",
            "auctions": "/auctions/",
            "signup": "/accounts/signup/",
        },
        "axe-buyer": {"watchlist": "/watchlist/"},
        "axe-staff": {"analytics": "/staff/analytics/"},
        "axe-seller": {"dashboard": "/sell/", "listing-form": f"/sell/{ids['pc30-all']}/edit/"},
    }
    found: dict[str, list[str]] = {}
    for username, pages in journeys.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        page = context.new_page()
        if username:
            log_in(page, live_server.url, username)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            problems = violations(page)
            if problems:
                found[name] = problems
        context.close()

    assert found == {}, "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )
