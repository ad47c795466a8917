"""The home page in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from marketplace.money import convert, format_money
from tests.factories import SellerFactory, open_auction
from tests.search.catalogue import build_catalogue, fresh_machine_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_with_its_stylesheet_and_search_box(
    live_server: Any, page: Any, screenshot: Any
) -> None:
    page.goto(live_server.url + "/")

    assert page.locator("h1").inner_text() == "Find your next machine"
    assert page.locator("input[name=q]").is_visible()
    # the stylesheet really loaded: the header is dark, not the browser default
    background = page.locator(".site-header").evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(29, 35, 41)"
    assert screenshot(page).stat().st_size > 10_000


def test_switching_to_japanese_translates_the_page(live_server: Any, page: Any, screenshot: Any) -> None:
    page.goto(live_server.url + "/")

    page.select_option("select[name=language]", "ja")
    page.wait_for_selector("html[lang=ja]")

    assert page.locator("h1").inner_text() == "次の一台を見つけよう"
    assert page.locator("button[type=submit]").first.inner_text() == "検索"
    screenshot(page, "ja")


def test_the_home_page_shows_top_categories_newest_listings_and_live_auctions(
    live_server: Any, page: Any, screenshot: Any
) -> None:
    """Issue 20: the home page was a heading and a search box."""
    fresh_machine_index()
    ids = build_catalogue(SellerFactory.create(username="home-seller"))
    auction = open_auction()  # on a listing of its own, not in the index

    page.goto(live_server.url + "/")

    tiles = page.locator(".category-tiles a")
    # the top-level categories with the most listings first, each counting its subcategories
    assert [tiles.nth(i).get_attribute("data-category") for i in range(tiles.count())] == [
        "excavators",
        "loaders",
        "cranes",
        "dozers",
    ]
    assert tiles.first.locator(".count").inner_text() == "8 machines"
    newest = page.locator("[data-testid=newest] .machine-card")
    assert newest.count() == 8
    in_dollars = page.locator(f"[data-testid=newest] [data-machine='{ids['950m-en']}']")
    assert in_dollars.locator(".price").inner_text() == (
        f"{format_money(convert(14_500_000, 'USD', 'EUR'), 'EUR')} $145,000.00"
    )
    assert page.locator(f"[data-section=live] [data-auction='{auction.pk}']").is_visible()
    screenshot(page, "sections")

    tiles.first.click()
    page.wait_for_url(re.compile(r".*/search/\?category=excavators$"))
    assert page.locator("[data-testid=count]").inner_text().startswith("8 machines")
