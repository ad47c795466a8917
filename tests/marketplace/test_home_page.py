"""The home page in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

from typing import Any

import pytest

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
