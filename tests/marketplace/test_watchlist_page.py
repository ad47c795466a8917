"""The watchlist page: every watched machine with its price in the buyer's currency, what
became of it (sold, in auction, taken off sale) and a remove button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from marketplace.models import Machine, MachineStatus, WatchlistEntry
from marketplace.money import convert, format_money
from marketplace.services import watch_add
from tests.factories import MachineFactory, UserFactory, open_auction

pytestmark = pytest.mark.django_db


def card(html: str, machine_id: int) -> str:
    found = re.search(rf'<li class="machine-card" data-machine="{machine_id}"(.*?)</li>', html, re.S)
    assert found, f"no card for machine {machine_id}"
    return found.group(0)


@pytest.fixture
def watched() -> dict[str, Any]:
    buyer = UserFactory.create(username="watcher", display_currency_id="EUR")
    on_sale = MachineFactory.create(price_amount=5_200_000, price_currency_id="USD", country_id="US")
    sold = MachineFactory.create()
    withdrawn = MachineFactory.create()
    auctioned = MachineFactory.create()
    for machine in (on_sale, sold, withdrawn, auctioned):
        watch_add(user=buyer, machine_id=machine.pk)
    auction = open_auction(machine=auctioned)
    Machine.objects.filter(pk=sold.pk).update(status=MachineStatus.SOLD)
    Machine.objects.filter(pk=withdrawn.pk).update(status=MachineStatus.DRAFT)
    return {"buyer": buyer, "on_sale": on_sale, "sold": sold, "withdrawn": withdrawn, "auction": auction}


def test_each_watched_machine_shows_its_price_in_the_buyers_currency_or_what_became_of_it(
    client: Client, watched: dict[str, Any]
) -> None:
    client.force_login(watched["buyer"])

    html = client.get("/watchlist/").content.decode()

    on_sale = card(html, watched["on_sale"].pk)
    assert format_money(convert(5_200_000, "USD", "EUR"), "EUR") in on_sale
    assert "$52,000.00" in on_sale
    assert "United States" in on_sale
    assert "Sold" in card(html, watched["sold"].pk)
    withdrawn = card(html, watched["withdrawn"].pk)
    assert "No longer listed" in withdrawn
    assert f'href="/machines/{watched["withdrawn"].pk}/"' not in withdrawn  # its page is gone for buyers
    auctioned = card(html, watched["auction"].machine_id)
    assert f'href="/auctions/{watched["auction"].pk}/"' in auctioned
    assert (
        '<span class="live-state">In auction</span>: <strong class="live-price">€1,000.00</strong>'
        in auctioned
    )
    assert "ends in" in auctioned


def test_remove_takes_a_machine_off_the_watchlist_and_comes_back_to_it(
    client: Client, watched: dict[str, Any]
) -> None:
    client.force_login(watched["buyer"])

    response = client.post(f"/machines/{watched['withdrawn'].pk}/watch/", {"next": "/watchlist/"})

    assert response.status_code == 302
    assert response["Location"] == "/watchlist/"
    assert not WatchlistEntry.objects.filter(machine=watched["withdrawn"]).exists()
    assert WatchlistEntry.objects.filter(user=watched["buyer"]).count() == 3


def test_remove_does_not_follow_a_next_to_another_site(client: Client, watched: dict[str, Any]) -> None:
    client.force_login(watched["buyer"])

    response = client.post(f"/machines/{watched['sold'].pk}/watch/", {"next": "https://evil.example/"})

    assert response["Location"] == f"/machines/{watched['sold'].pk}/"
