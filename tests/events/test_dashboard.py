"""The seller's dashboard counts, per listing, what buyers did over the last 7 and 30 days, from
the events the sink kept: views, search impressions, new watchers, new enquiries, bids."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from auctions.services import bid_place
from events.selectors import listing_activity
from events.sink import get_sink
from marketplace import services
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.events.conftest import crafted, sink_all
from tests.factories import MachineFactory, SellerFactory, UserFactory, eur, open_auction
from tests.marketplace.test_pages import log_in

pytestmark = pytest.mark.usefixtures("events_store")


def kept_view(machine_id: int, when: datetime, user_id: int | None = None) -> dict[str, Any]:
    """A view event as the sink receives it, at a time of the test's choosing."""
    payload = {"machine_id": machine_id, "position": None, "search_event_id": None}
    return crafted("buyer_viewed_machine", payload, when, user_id=user_id, visitor_id="v" * 22)


def figures(html: str, machine_id: int) -> dict[str, str]:
    row = re.search(rf'<tr data-machine="{machine_id}">(.*?)</tr>', html, re.S)
    assert row is not None
    return dict(re.findall(r'data-measure="(\w+)"><dt>[^<]*</dt><dd>([^<]*)</dd>', row.group(1)))


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_the_dashboard_counts_what_buyers_did_and_leaves_out_the_seller() -> None:
    seller = SellerFactory.create(primary_language_id="en")
    listing = MachineFactory.create(seller=seller, title={"en": "Crawler excavator"})
    quiet = MachineFactory.create(seller=seller, title={"en": "Wheel loader"})
    auction = open_auction(machine=MachineFactory.create(seller=seller, title={"en": "Dozer"}))
    apply_changes({"machine": {listing.pk, quiet.pk}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    buyer = UserFactory.create()

    visitor = Client()
    for _ in range(3):
        visitor.get(f"/machines/{listing.pk}/")
    own = Client()
    own.force_login(seller)
    own.get(f"/machines/{listing.pk}/")  # the seller's own look is not a buyer's view
    APIClient().get("/api/v1/search/", {"q": "excavator"})  # shows `listing`
    APIClient().get("/api/v1/search/", {"q": "crawler"})
    services.watch_add(user=buyer, machine_id=listing.pk)
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hours verified?")
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="And the bucket?")  # same thread
    bid_place(auction_id=auction.pk, bidder=buyer, amount=eur(100_000), idempotency_key="k")
    now = timezone.now()
    get_sink().write(
        [
            kept_view(listing.pk, now - timedelta(days=10)),  # in the 30 days, not the 7
            kept_view(listing.pk, now - timedelta(days=40)),  # in neither
        ]
    )
    sink_all()

    page = own.get("/sell/").content.decode()
    assert figures(page, listing.pk) == {
        "views": "3 / 4",
        "impressions": "2 / 2",
        "watches": "1 / 1",
        "enquiries": "1 / 1",
        "bids": "0 / 0",
    }
    assert figures(page, quiet.pk) == dict.fromkeys(
        ["views", "impressions", "watches", "enquiries", "bids"], "0 / 0"
    )
    assert figures(page, auction.machine_id)["bids"] == "1 / 1"
    assert "Views per day over the last 30 days, 4 in all" in page


@pytest.mark.django_db
def test_days_are_whole_utc_days_and_the_chart_has_one_bar_a_day() -> None:
    seller = SellerFactory.create()
    machine = MachineFactory.create(seller=seller)
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    get_sink().write(
        [
            kept_view(machine.pk, datetime(2026, 12, 7, 0, 30, tzinfo=UTC)),  # today
            kept_view(machine.pk, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # the 7th day back
            kept_view(machine.pk, datetime(2026, 11, 30, 23, 59, tzinfo=UTC)),  # the 8th
            kept_view(machine.pk, datetime(2026, 11, 8, 0, 0, tzinfo=UTC)),  # the 30th
            kept_view(machine.pk, datetime(2026, 11, 7, 23, 59, tzinfo=UTC)),  # the 31st
            kept_view(machine.pk, datetime(2026, 12, 7, 2, 0, tzinfo=UTC)),  # after `now`
        ]
    )
    activity = listing_activity([machine.pk], seller_id=seller.pk, now=now)[machine.pk]
    assert (activity.last_7["views"], activity.last_30["views"]) == (2, 4)
    assert len(activity.daily_views) == 30
    assert (activity.daily_views[0], activity.daily_views[-7], activity.daily_views[-1]) == (1, 1, 1)
    assert sum(activity.daily_views) == 4


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_each_listing_s_days_at_both_widths(
    live_server: Any, browser: Any, screenshot: Any
) -> None:
    seller = SellerFactory.create(username="dash-seller", primary_language_id="en")
    machine = MachineFactory.create(seller=seller, title={"en": "Crawler excavator"})
    now = timezone.now()
    get_sink().write([kept_view(machine.pk, now - timedelta(days=day)) for day in (0, 0, 1, 3, 3, 3, 12)])
    for width in (390, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, live_server.url, "dash-seller")
        page.goto(f"{live_server.url}/sell/")
        chart = page.locator(f'tr[data-machine="{machine.pk}"] svg.daily-chart')
        assert chart.get_attribute("aria-label") == "Views per day over the last 30 days, 7 in all"
        assert chart.locator("rect").count() == 30
        heights = [
            float(h)
            for h in chart.locator("rect").evaluate_all("rs => rs.map(r => r.getAttribute('height'))")
        ]
        assert heights[-4] == max(heights) == 24  # three views three days ago: the busiest day
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"dashboard-activity-{width}")
        context.close()
