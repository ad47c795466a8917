"""The auction pages as the server renders them (Django's test client): amounts in major units
with the currency's separators, bidders as stable pseudonyms, where the viewer stands, the
result of a closed auction for everyone, and the index's sections."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from auctions.models import Auction
from auctions.services import auction_close, auction_create, bid_place
from core.money import Money
from marketplace.models import Currency
from marketplace.money import convert, format_money
from tests.factories import MachineFactory, UserFactory, eur, model_with_specs, open_auction

pytestmark = pytest.mark.django_db


class VisibleText(HTMLParser):
    """The text a reader sees in <main>: no scripts, nothing under a `hidden` element."""

    VOID = frozenset({"br", "img", "input", "link", "meta", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []  # (tag, hides what is inside)
        self.inside_main = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.inside_main = True
        if tag not in self.VOID:
            self.open.append((tag, tag == "script" or any(name == "hidden" for name, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside_main = False
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.inside_main and not any(hides for _, hides in self.open):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def page_text(client: Client, auction: Auction, language: str = "en") -> str:
    response = client.get(f"/auctions/{auction.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return VisibleText.of(response.content.decode())


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def closed(auction: Auction) -> Auction:
    result = auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
    assert result is not None
    assert result.closed_now
    return result.auction


def test_bidders_appear_as_pseudonyms_numbered_by_their_first_bid() -> None:
    auction = open_auction(starting=100_000)
    anna, boris, chen = (UserFactory.create(username=name) for name in ("anna", "boris", "chen"))
    for key, (bidder, minor) in enumerate(
        [(anna, 100_000), (boris, 110_000), (anna, 120_000), (chen, 130_000)]
    ):
        bid_place(auction_id=auction.pk, bidder=bidder, amount=eur(minor), idempotency_key=f"k{key}")

    seen_by_boris = page_text(signed_in(boris), auction)
    seen_by_anonymous = page_text(Client(), auction)

    history = seen_by_anonymous[seen_by_anonymous.index("Bid history") :]
    assert re.findall(r"Bidder \d", history) == ["Bidder 3", "Bidder 1", "Bidder 2", "Bidder 1"]
    assert "Bidder 2 (you)" in seen_by_boris
    assert "In this auction you are Bidder 2" in seen_by_boris
    for text in (seen_by_boris, seen_by_anonymous):
        for name in ("anna", "boris", "chen"):
            assert name not in text
    assert re.findall(r"€[\d,.]+", history) == ["€1,300.00", "€1,200.00", "€1,100.00", "€1,000.00"]


def test_amounts_are_major_units_with_the_currencys_separators_jpy_and_eur() -> None:
    yen = open_auction(currency="JPY", starting=3_000_000)
    euro = open_auction(currency="EUR", starting=3_000_000)
    buyer = UserFactory.create()
    bid_place(auction_id=yen.pk, bidder=buyer, amount=Money(3_000_000, "JPY"), idempotency_key="y")

    yen_page = signed_in(UserFactory.create()).get(f"/auctions/{yen.pk}/").content.decode()
    euro_page = signed_in(UserFactory.create()).get(f"/auctions/{euro.pk}/").content.decode()

    # JPY: no decimals; the next bid is one increment (50,000 at this price) above
    assert re.search(r'id="price"[^>]*>¥3,000,000<', yen_page)
    assert 'value="3,050,000"' in yen_page
    assert re.search(r'id="minimum">¥3,050,000<', yen_page)
    assert [re.sub(r"<[^>]+>", "", b) for b in re.findall(r'class="quick"[^>]*>([^<]*)<', yen_page)] == [
        "¥3,050,000",
        "¥3,100,000",
        "¥3,250,000",
    ]
    assert re.search(r'class="amount">¥3,000,000<', yen_page)
    # EUR: two decimals, the starting price before the first bid
    assert re.search(r'id="price"[^>]*>€30,000.00<', euro_page)
    assert 'value="30,000.00"' in euro_page
    assert "3000000" not in re.sub(r'<script id="auction-data".*?</script>', "", euro_page, flags=re.S)
    data = json.loads(re.search(r'<script id="auction-data"[^>]*>(.*?)</script>', yen_page, re.S).group(1))  # type: ignore[union-attr]
    assert (data["places"], data["symbol"], data["minimum_bid"]["minor"]) == (0, "¥", 3_050_000)


def test_the_price_is_also_shown_approximately_in_the_viewer_s_currency_and_bids_stay_in_the_auction_s() -> (
    None
):
    auction = open_auction(currency="EUR", starting=100_000)
    bid_place(auction_id=auction.pk, bidder=UserFactory.create(), amount=eur(150_000), idempotency_key="a")
    in_yen = signed_in(UserFactory.create(display_currency_id="JPY")).get(f"/auctions/{auction.pk}/")
    in_euro = signed_in(UserFactory.create(display_currency_id="EUR")).get(f"/auctions/{auction.pk}/")

    html = in_yen.content.decode()
    yen = format_money(convert(150_000, "EUR", "JPY"), "JPY")
    assert re.search(r'id="price"[^>]*>€1,500.00<', html)
    assert f'data-testid="price-approx">\u2248 {yen}</p>' in html
    assert "Bids are placed in EUR, the auction's currency." in VisibleText.of(html)
    assert 'aria-describedby="minimum-hint currency-hint"' in html
    data = json.loads(re.search(r'<script id="auction-data"[^>]*>(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    rates = dict(Currency.objects.filter(code__in=["EUR", "JPY"]).values_list("code", "rate_to_pivot_nano"))
    assert data["display"] == {
        "currency": "JPY",
        "places": 0,
        "prefix": "¥",
        "suffix": "",
        "rates": [rates["EUR"], rates["JPY"]],
    }
    # in the auction's own currency, nothing to add
    plain = in_euro.content.decode()
    assert 'id="price-approx"' not in plain
    assert 'id="currency-hint"' not in plain
    assert '"display": null' in plain


def test_the_viewer_sees_whether_they_lead_or_were_outbid() -> None:
    auction = open_auction(starting=100_000)
    first, second = UserFactory.create(), UserFactory.create()
    bid_place(auction_id=auction.pk, bidder=first, amount=eur(100_000), idempotency_key="a")
    bid_place(auction_id=auction.pk, bidder=second, amount=eur(110_000), idempotency_key="b")

    assert "You have been outbid." in page_text(signed_in(first), auction)
    assert "You are the highest bidder." in page_text(signed_in(second), auction)
    neutral = page_text(signed_in(UserFactory.create()), auction)
    assert "highest bidder" not in neutral
    assert "outbid" not in neutral


def test_a_closed_auction_with_its_reserve_not_met_shows_the_result_to_everyone_without_a_form() -> None:
    auction = open_auction(starting=100_000, reserve=500_000)
    highest, other = UserFactory.create(), UserFactory.create()
    bid_place(auction_id=auction.pk, bidder=other, amount=eur(100_000), idempotency_key="o")
    bid_place(auction_id=auction.pk, bidder=highest, amount=eur(200_000), idempotency_key="h")
    closed(auction)

    for client in (Client(), signed_in(highest), signed_in(other), signed_in(UserFactory.create())):
        response = client.get(f"/auctions/{auction.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="bid-form"' not in html
        assert "Log in to bid" not in html
    text = page_text(signed_in(highest), auction)
    assert "Not sold: the reserve price was not met. Highest bid €2,000.00" in text
    assert "You did not win this auction." in text
    assert "Sold for" not in text
    assert "Ended" in text
    assert "You did not win this auction." in page_text(signed_in(other), auction)
    assert "You did not win" not in page_text(Client(), auction)


def test_a_sold_auction_tells_the_winner_the_next_step_and_the_loser_they_did_not_win() -> None:
    auction = open_auction(starting=100_000, reserve=150_000)
    winner, loser = UserFactory.create(), UserFactory.create()
    bid_place(auction_id=auction.pk, bidder=loser, amount=eur(100_000), idempotency_key="l")
    bid_place(auction_id=auction.pk, bidder=winner, amount=eur(150_000), idempotency_key="w")
    closed(auction)

    won = page_text(signed_in(winner), auction)
    lost = page_text(signed_in(loser), auction)
    everyone = page_text(Client(), auction)

    assert "You won this auction. The seller will contact you to arrange payment and collection." in won
    assert "Sold for €1,500.00" in won
    assert "You did not win this auction." in lost
    assert "Sold for €1,500.00" in lost
    assert "Sold for €1,500.00" in everyone
    assert "You won" not in lost + everyone


def test_a_closed_auction_nobody_bid_on_says_so() -> None:
    auction = closed(open_auction(starting=100_000))

    text = page_text(Client(), auction)

    assert "Not sold: nobody bid." in text
    assert "No bids yet." in text


def test_the_live_page_shows_the_machine_its_specs_and_links_the_listing() -> None:
    machine = MachineFactory.create(model=model_with_specs(), year=2014, hours=12_500, region="Osaka")
    auction = open_auction(machine=machine)

    response = Client().get(f"/auctions/{auction.pk}/")
    text = page_text(Client(), auction)

    assert "Year 2014" in text
    assert "Operating hours 12,500 h" in text
    assert "Location Japan, Osaka" in text
    assert f'href="/machines/{machine.pk}/"' in response.content.decode()
    assert "No reserve price" in text


def test_the_live_page_speaks_japanese() -> None:
    auction = open_auction(currency="JPY", starting=3_000_000, reserve=9_000_000)
    bidder = UserFactory.create(primary_language_id="ja")  # a signed-in reader: their profile's language
    bid_place(auction_id=auction.pk, bidder=bidder, amount=Money(3_000_000, "JPY"), idempotency_key="j")

    text = page_text(signed_in(bidder), auction, language="ja")

    assert "入札者 1" in text
    assert "あなたが最高入札者です。" in text
    assert "最低落札価格に未到達" in text
    assert "入札はこのオークションの通貨 JPY で行います。" in text  # the reader's currency is EUR
    for english in (
        "Bidder",
        "Current bid",
        "Ends in",
        "Bid history",
        "Your bid",
        "Place bid",
        "Quick amounts",
        "Bids are placed",
    ):
        assert english not in text


def test_an_unknown_auction_is_a_404_page() -> None:
    assert Client().get("/auctions/999999/").status_code == 404


def test_the_index_lists_live_upcoming_and_recently_ended_auctions_with_formatted_prices() -> None:
    live = open_auction(currency="JPY", starting=3_000_000)
    bidder = UserFactory.create()
    bid_place(auction_id=live.pk, bidder=bidder, amount=Money(3_000_000, "JPY"), idempotency_key="l")
    machine = MachineFactory.create(model=model_with_specs())
    now = timezone.now()
    upcoming = auction_create(
        seller=machine.seller,
        machine_id=machine.pk,
        kind="soft_close",
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        extension_seconds=120,
        starting_price=eur(250_000),
        reserve_price=None,
    )
    ended = open_auction(starting=100_000, reserve=900_000)
    bid_place(auction_id=ended.pk, bidder=bidder, amount=eur(100_000), idempotency_key="e")
    closed(ended)

    html = Client().get("/auctions/").content.decode()

    sections = re.findall(r'data-section="(\w+)"', html)
    assert sections == ["live", "upcoming", "ended"]
    cards = {
        int(auction): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        for auction, body in re.findall(
            r'<li class="auction-card" data-auction="(\d+)">(.*?)</li>', html, re.S
        )
    }
    assert "Current bid ¥3,000,000" in cards[live.pk]
    assert "1 bid · ends in" in cards[live.pk]
    assert "Starting price €2,500.00" in cards[upcoming.pk]
    assert re.search(r"starts in (1 hour 59 minutes|2 hours)", cards[upcoming.pk])
    assert "Not sold, highest bid €1,000.00" in cards[ended.pk]
