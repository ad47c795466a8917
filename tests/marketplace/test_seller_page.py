"""A seller's public page (issue 20): the listing page's seller card links to it; it shows the
seller and their listings on offer as cards, in the buyer's currency, a page at a time, in
either language; nobody else has one."""

from __future__ import annotations

import re
from typing import Any

import pytest

from marketplace import selectors
from marketplace.models import MachineStatus
from marketplace.money import convert, format_money
from tests.factories import PASSWORD, MachineFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def shown_machines(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li class="machine-card" data-machine="(\d+)"', html)]


@pytest.fixture
def seller() -> Any:
    return SellerFactory.create(username="seller-page", company_name="Hokkaido Heavy KK", country_id="JP")


def test_the_listing_page_s_seller_card_links_to_the_seller_s_page(client: Any, seller: Any) -> None:
    listing, _other = MachineFactory.create_batch(2, seller=seller)

    html = client.get(f"/machines/{listing.pk}/").content.decode()

    assert f'<a href="/sellers/{seller.pk}/" data-testid="seller-other-listings">1</a>' in html


def test_the_seller_s_listings_on_offer_are_cards_in_the_buyer_s_currency(client: Any, seller: Any) -> None:
    published = MachineFactory.create(seller=seller)
    in_auction = MachineFactory.create(seller=seller, status=MachineStatus.IN_AUCTION)
    reserved = MachineFactory.create(seller=seller, status=MachineStatus.RESERVED)
    for status in (MachineStatus.DRAFT, MachineStatus.SOLD):
        MachineFactory.create(seller=seller, status=status)
    MachineFactory.create()  # another seller's
    buyer = UserFactory.create(display_currency_id="USD")
    client.login(username=buyer.username, password=PASSWORD)

    response = client.get(f"/sellers/{seller.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(shown_machines(html)) == sorted([published.pk, in_auction.pk, reserved.pk])
    assert '<h1 id="seller-name" translate="no">Hokkaido Heavy KK</h1>' in html
    assert "3 listings on offer" in html
    assert "<dd>Japan</dd>" in html
    usd = format_money(convert(published.price_amount, "JPY", "USD"), "USD")
    assert f'<p class="price">{usd} <span class="price-original">¥8,800,000</span></p>' in html
    assert 'class="pager"' not in html


def test_the_page_speaks_japanese(client: Any, seller: Any) -> None:
    MachineFactory.create(seller=seller)

    html = client.get(f"/sellers/{seller.pk}/?lang=ja").content.decode()

    assert "販売中の出品 1 件" in html
    assert "<dd>日本</dd>" in html
    assert '<h1 id="seller-name" translate="no">Hokkaido Heavy KK</h1>' in html


def test_the_listings_come_a_page_at_a_time(client: Any, seller: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(selectors, "SELLER_PAGE_SIZE", 2)
    newest_first = list(reversed(MachineFactory.create_batch(5, seller=seller)))

    pages = {number: client.get(f"/sellers/{seller.pk}/?page={number}").content.decode() for number in "123"}

    assert [shown_machines(pages[n]) for n in "123"] == [
        [m.pk for m in newest_first[0:2]],
        [m.pk for m in newest_first[2:4]],
        [newest_first[4].pk],
    ]
    assert "Page 2 of 3" in pages["2"]
    assert '<a href="?page=1" rel="prev"' in pages["2"]
    assert '<a href="?page=3" rel="next"' in pages["2"]
    assert 'rel="next"' not in pages["3"]
    # past the end, or not a number: the last page, or the first; never an unbounded offset
    assert shown_machines(client.get(f"/sellers/{seller.pk}/?page=999999999").content.decode()) == [
        newest_first[4].pk
    ]
    assert shown_machines(client.get(f"/sellers/{seller.pk}/?page=x").content.decode()) == [
        m.pk for m in newest_first[0:2]
    ]


def test_only_sellers_have_a_page(client: Any, seller: Any) -> None:
    buyer = UserFactory.create()
    closed = SellerFactory.create(is_active=False)

    for seller_id in (buyer.pk, closed.pk, 999_999_999):
        assert client.get(f"/sellers/{seller_id}/").status_code == 404
    assert client.get(f"/sellers/{seller.pk}/").status_code == 200


def test_a_seller_with_nothing_on_offer_says_so(client: Any, seller: Any) -> None:
    MachineFactory.create(seller=seller, status=MachineStatus.SOLD)

    html = client.get(f"/sellers/{seller.pk}/").content.decode()

    assert "0 listings on offer" in html
    assert "This seller has no machines on offer at the moment." in html
