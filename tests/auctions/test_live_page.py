"""Two real browsers bid against each other on the live page, served by a real ASGI server
(HTTP and WebSocket); each sees the other's bids without reloading, under pseudonyms, with
amounts written as the server writes them, and knows live whether it leads or was outbid.
Then an auction runs to its end: the winner, the loser and a bystander see the result."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from auctions.models import Auction, Bid
from auctions.services import auction_close
from bench.common import asgi_server
from tests.conftest import database_url_for_subprocesses
from tests.factories import PASSWORD, MachineFactory, UserFactory, model_with_specs, open_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESK = (390, 844), (1366, 900)


def logged_in_page(browser: Any, base: str, username: str, language: str = "en") -> Any:
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    if language != "en":
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def server_environment() -> dict[str, str]:
    return {"DATABASE_URL": database_url_for_subprocesses(), "ALLOWED_HOSTS": "127.0.0.1,localhost"}


def open_live(page: Any, base: str, auction: Auction) -> None:
    page.goto(f"{base}/auctions/{auction.pk}/")
    page.wait_for_function(f"document.body.dataset.seq === '{auction.last_seq}'")


def visible(page: Any, selector: str) -> str:
    page.wait_for_selector(f"{selector}:not([hidden])")
    return str(page.locator(f"{selector}:not([hidden])").inner_text())


def at_both_widths(page: Any, screenshot: Any, label: str) -> None:
    """Screenshots at a phone's and a desk's width; at neither does the page scroll sideways."""
    for width, height in (PHONE, DESK):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (label, width)
        screenshot(page, f"{label}-{width}")


def test_two_browsers_see_each_others_bids_live(browser: Any, screenshot: Any) -> None:
    machine = MachineFactory.create(model=model_with_specs(), title={"en": "Komatsu PC200-8 live auction"})
    auction = open_auction(machine=machine, starting=100_000)
    UserFactory.create(username="tanaka")
    UserFactory.create(username="smith")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        tanaka, smith = logged_in_page(browser, base, "tanaka"), logged_in_page(browser, base, "smith")
        for page in (tanaka, smith):
            open_live(page, base, auction)
        for page in (tanaka, smith):  # presence: both pages count both watchers, live
            page.wait_for_function("document.getElementById('presence').textContent === '2'")
        assert tanaka.locator("#price").inner_text() == "€1,000.00"
        assert tanaka.locator("#amount").input_value() == "1,000.00"  # the minimum, in major units
        assert tanaka.locator(".quick").all_inner_texts() == ["€1,000.00", "€1,050.00", "€1,200.00"]

        tanaka.click("[data-testid=place-bid]")  # the form offers the minimum bid
        smith.wait_for_selector("#history li[data-seq='1']")
        assert smith.locator("#history li[data-seq='1']").inner_text().split("\n")[:2] == [
            "Bidder 1",
            "€1,000.00",
        ]
        assert visible(tanaka, "[data-standing=leading]") == "You are the highest bidder."
        assert smith.locator("#standing p:not([hidden])").count() == 0  # smith has not bid
        # the form now offers the next valid amount, from the increment table, as typed
        assert smith.locator("#amount").input_value() == "1,050.00"
        assert smith.locator("#minimum").inner_text() == "€1,050.00"
        assert smith.locator("#price").inner_text() == "€1,000.00"

        smith.click("[data-testid=place-bid]")
        tanaka.wait_for_selector("#history li[data-seq='2']")
        assert "Bidder 2" in tanaka.locator("#history li[data-seq='2']").inner_text()
        assert visible(tanaka, "[data-standing=outbid]") == "You have been outbid."
        assert visible(smith, "[data-standing=leading]") == "You are the highest bidder."
        assert tanaka.locator("#bid-count").inner_text() == "2"
        assert tanaka.locator("#price").inner_text() == smith.locator("#price").inner_text() == "€1,050.00"

        # tanaka comes back with a proxy maximum; smith's next bid is placed and at once
        # outbid by it: smith is told so, never shown a plain "placed" tick
        tanaka.fill("#amount", "1,100.00")
        tanaka.fill("#max-amount", "2,000")
        tanaka.click("[data-testid=place-bid]")
        visible(tanaka, "[data-standing=leading]")
        smith.wait_for_selector("#history li[data-seq='3']")
        smith.click("[data-testid=place-bid]")  # the minimum, 1,150.00
        tanaka.wait_for_selector("#history li[data-seq='5']")
        smith.wait_for_function(
            "document.getElementById('bid-message').textContent"
            ' === "Your bid was placed, but another bidder\'s maximum is higher."'
        )
        assert visible(smith, "[data-standing=outbid]") == "You have been outbid."
        assert visible(tanaka, "[data-standing=leading]") == "You are the highest bidder."
        assert "automatic" in smith.locator("#history li[data-seq='5']").inner_text()
        assert smith.locator("#price").inner_text() == "€1,200.00"

        for page, other in ((tanaka, "smith"), (smith, "tanaka")):  # pseudonyms only
            assert other not in page.locator("body").inner_text()
            assert not {"smith", "tanaka"} & set(page.locator("main").inner_text().split())
        assert re.findall(r"Bidder \d", smith.locator("#history").inner_text()) == [
            "Bidder 1",
            "Bidder 2",
            "Bidder 1",
            "Bidder 2",
            "Bidder 1",
        ]
        assert "Bidder 2 (you)" in smith.locator("#history").inner_text()
        live_price = smith.locator("#price").inner_text()
        live_history = smith.locator("#history").inner_text()
        at_both_widths(tanaka, screenshot, "tanaka")
        at_both_widths(smith, screenshot, "smith")

        smith.reload()  # the server writes what the live updates wrote
        smith.wait_for_function("document.body.dataset.seq === '5'")
        assert smith.locator("#price").inner_text() == live_price
        assert smith.locator("#history").inner_text() == live_history
        assert visible(smith, "[data-standing=outbid]") == "You have been outbid."

    assert list(Bid.objects.filter(auction=auction).values_list("seq", "bidder__username", "amount")) == [
        (1, "tanaka", 100_000),
        (2, "smith", 105_000),
        (3, "tanaka", 110_000),
        (4, "smith", 115_000),
        (5, "tanaka", 120_000),
    ]


def test_an_auction_runs_to_its_end_and_the_winner_the_loser_and_a_bystander_see_the_result(
    browser: Any, screenshot: Any
) -> None:
    machine = MachineFactory.create(
        model=model_with_specs(), title={"en": "Hitachi ZX200 ending", "ja": "日立 ZX200"}
    )
    # a soft close whose window already covers the rest of the auction: the first bid extends it
    auction = open_auction(machine=machine, currency="JPY", starting=3_000_000, seconds=50, extension=60)
    UserFactory.create(username="winner-w")
    UserFactory.create(username="loser-l")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        winner, loser = logged_in_page(browser, base, "winner-w"), logged_in_page(browser, base, "loser-l")
        bystander = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        bystander.context.add_cookies([{"name": "django_language", "value": "ja", "url": base}])
        for page in (winner, loser, bystander):
            open_live(page, base, auction)

        loser.click("[data-testid=place-bid]")  # ¥3,000,000
        winner.wait_for_selector("#history li[data-seq='1']")
        assert "Extended by" in visible(loser, "#extension")  # the late bid moved the end, live
        winner.click("[data-testid=place-bid]")  # ¥3,050,000
        for page in (winner, loser, bystander):  # (each bid's extension takes a seq of its own)
            page.wait_for_function("document.querySelectorAll('#history li').length === 2")
        visible(loser, "[data-standing=outbid]")
        auction.refresh_from_db()
        assert auction.ends_at > auction.scheduled_end

        closed = auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
        assert closed is not None
        assert closed.closed_now

        for page in (winner, loser, bystander):
            page.wait_for_selector("#result:not([hidden])")
            assert page.locator("#bid-form").count() == 0
            assert page.locator("#countdown").inner_text() in ("Ended", "終了")
        assert visible(winner, "[data-result=sold]") == "Sold for ¥3,050,000"
        assert visible(winner, "[data-standing=won]") == (
            "You won this auction. The seller will contact you to arrange payment and collection."
        )
        assert visible(loser, "[data-result=sold]") == "Sold for ¥3,050,000"
        assert visible(loser, "[data-standing=lost]") == "You did not win this auction."
        assert visible(bystander, "[data-result=sold]") == "落札価格 ¥3,050,000"
        assert bystander.locator("#standing p:not([hidden])").count() == 0
        at_both_widths(winner, screenshot, "winner")
        at_both_widths(loser, screenshot, "loser")
        at_both_widths(bystander, screenshot, "bystander-ja")

        for page in (winner, loser):  # a page loaded after the end says the same
            page.reload()
            assert page.locator("#bid-form").count() == 0
            assert page.locator("#countdown").inner_text() == "Ended"
        assert visible(winner, "[data-standing=won]").startswith("You won this auction.")
        assert visible(loser, "[data-standing=lost]") == "You did not win this auction."

        index = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        index.goto(f"{base}/auctions/")
        card = index.locator(f"[data-section=ended] [data-auction='{auction.pk}']")
        assert "Sold for ¥3,050,000" in " ".join(card.inner_text().split())
        at_both_widths(index, screenshot, "index")


def test_a_japanese_bidder_bids_live_in_japanese(browser: Any, screenshot: Any) -> None:
    machine = MachineFactory.create(
        model=model_with_specs(), region="Osaka", title={"en": "Kobelco SK200", "ja": "コベルコ SK200"}
    )
    auction = open_auction(machine=machine, currency="JPY", starting=3_000_000, reserve=5_000_000)
    UserFactory.create(username="sato")
    UserFactory.create(username="jones")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        sato, jones = (
            logged_in_page(browser, base, "sato", language="ja"),
            logged_in_page(browser, base, "jones"),
        )
        for page in (sato, jones):
            open_live(page, base, auction)
        jones.click("[data-testid=place-bid]")
        sato.wait_for_selector("#history li[data-seq='1']")
        sato.click("[data-testid=place-bid]")
        assert visible(sato, "[data-standing=leading]") == "あなたが最高入札者です。"
        sato.wait_for_function("document.getElementById('bid-message').textContent === '入札しました。'")
        assert sato.locator("#history li[data-seq='2'] .who").inner_text() == "入札者 2 (あなた)"
        assert sato.locator("#history li[data-seq='1'] .who").inner_text() == "入札者 1"
        assert sato.locator("#price").inner_text() == "¥3,050,000"
        assert sato.locator("#amount").input_value() == "3,100,000"
        assert re.fullmatch(r"(\d+時間 )?\d+分 \d+秒", sato.locator("#countdown").inner_text())
        text = sato.locator("main").inner_text()
        for english in (
            "Bidder",
            "Current bid",
            "Ends in",
            "Reserve",
            "Your bid",
            "Quick",
            "automatic",
            "you",
        ):
            assert english not in text
        at_both_widths(sato, screenshot, "sato-ja")
