"""The search page in a real browser: results with highlights, autocomplete, facets that
narrow, sorting, and a URL that carries the state (back button, sharing)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import SellerFactory
from tests.search.catalogue import build_catalogue, fresh_machine_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue() -> dict[str, int]:
    fresh_machine_index()
    return build_catalogue(SellerFactory.create(username="page-seller"))


def card_ids(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.locator(".result-card").evaluate_all("cards => cards.map(c => c.dataset.machine)")
    ]


def test_search_filter_sort_and_go_back(
    live_server: Any, page: Any, screenshot: Any, catalogue: dict[str, int]
) -> None:
    page.goto(f"{live_server.url}/search/?q=excavator")

    excavators = {
        catalogue[k]
        for k in ("pc200-en", "pc200-ja", "pc200-zh", "pc30-all", "320d-en", "zx200-ja", "u27-en", "sy215-zh")
    }
    assert page.locator("[data-testid=count]").inner_text().startswith("8 machines")
    assert set(card_ids(page)) == excavators
    assert page.locator(".result-card mark").count() > 0
    screenshot(page, "results")

    # a facet narrows the results and lands in the URL
    page.locator("fieldset[data-facet=maker] input[value=komatsu]").check()
    page.wait_for_url(re.compile(r".*maker=komatsu.*"))
    assert set(card_ids(page)) == {catalogue[k] for k in ("pc200-en", "pc200-ja", "pc200-zh", "pc30-all")}
    # the other makers keep their counts (disjunctive facets)
    assert (
        page.locator("fieldset[data-facet=maker] label", has_text="Caterpillar")
        .locator(".count")
        .inner_text()
        == "1"
    )

    # sorting by price keeps the filter
    page.select_option("#sort", "price")
    page.wait_for_url(re.compile(r".*sort=price.*"))
    assert "maker=komatsu" in page.url
    prices_order = card_ids(page)
    assert prices_order[0] == catalogue["pc30-all"]

    # back restores the previous state
    page.go_back()
    page.wait_for_url(re.compile(r"^(?!.*sort=price).*maker=komatsu.*"))
    assert page.locator("#sort").input_value() == "relevance"
    screenshot(page, "filtered")


def test_autocomplete_offers_completions(live_server: Any, page: Any, catalogue: dict[str, int]) -> None:
    page.goto(f"{live_server.url}/search/")

    page.locator("#q").press_sequentially("cate", delay=30)
    page.wait_for_selector("#suggestions[data-ready=cate]", state="attached")

    options = page.locator("#suggestions option").evaluate_all("options => options.map(o => o.value)")
    assert "Caterpillar 320D" in options


def test_the_home_page_box_completes_categories_in_japanese_with_their_counts(
    live_server: Any, page: Any, screenshot: Any, catalogue: dict[str, int]
) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server.url}])
    page.goto(f"{live_server.url}/")

    page.locator("input[data-suggest]").press_sequentially("油圧", delay=30)
    page.wait_for_selector("#home-suggestions[data-ready=油圧]", state="attached")

    options = page.locator("#home-suggestions option").evaluate_all(
        "options => options.map(o => [o.value, o.label, o.dataset.kind])"
    )
    excavators = search_count(live_server, category="excavators")
    assert ["油圧ショベル", f"カテゴリ · {excavators}", "category"] in options
    screenshot(page, "home-autocomplete-ja")


def search_count(live_server: Any, **params: str) -> int:
    import httpx

    return int(httpx.get(f"{live_server.url}/api/v1/search/", params=params).json()["count"])


def test_a_shared_url_reproduces_the_search_in_japanese(
    live_server: Any, page: Any, screenshot: Any, catalogue: dict[str, int]
) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server.url}])

    page.goto(f"{live_server.url}/search/?q=%E3%83%A6%E3%83%B3%E3%83%9C&category=excavators")  # ユンボ

    assert card_ids(page)[0] in {catalogue["pc200-ja"], catalogue["zx200-ja"]}
    excavators = page.locator("fieldset[data-facet=category] input[value=excavators]")
    assert excavators.is_checked()
    label = page.locator("fieldset[data-facet=category] label", has=page.locator("input[value=excavators]"))
    assert label.inner_text().startswith("油圧ショベル")
    screenshot(page, "ja")
