"""Spec facets on the search page in a real browser: enumerations as checkboxes with counts,
number ranges with a histogram, in the buyer's unit system; both narrow the results and the
URL carries them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories import SellerFactory
from tests.graph.catalogue import build_spec_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listings() -> dict[str, int]:
    return build_spec_catalogue(SellerFactory.create(username="spec-page-seller"))


def card_ids(page: Any) -> set[int]:
    return {
        int(x)
        for x in page.locator(".result-card").evaluate_all("cards => cards.map(c => c.dataset.machine)")
    }


def test_ticking_a_value_and_typing_a_range_narrow_the_results(
    live_server: Any, page: Any, screenshot: Any, listings: dict[str, int]
) -> None:
    page.goto(f"{live_server.url}/search/")
    # spec filters are offered within a category
    assert page.locator("[data-testid=spec-hint]").is_visible()
    assert page.locator("fieldset[data-spec]").count() == 0
    page.locator("fieldset[data-facet=category] input[value=excavators]").check()
    page.wait_for_url(re.compile(r".*category=excavators.*"))

    undercarriage = page.locator("fieldset[data-spec=undercarriage]")
    assert undercarriage.locator("legend").inner_text() == "Undercarriage"
    assert undercarriage.locator("label", has_text="Crawler").locator(".count").inner_text() == "5"
    assert undercarriage.locator("label", has_text="Wheeled").count() == 0  # the wheel loader is no excavator
    weight = page.locator("fieldset[data-spec=operating_weight]")
    assert weight.locator("legend").inner_text() == "Operating weight (t)"
    assert weight.locator(".histogram .bar").count() == 10
    assert weight.locator("input[name='spec.operating_weight.min']").get_attribute("placeholder") == "2.7"
    screenshot(page, "all")

    # an enumeration value is a checkbox: ticking it narrows the results and lands in the URL
    undercarriage.locator("input[value=crawler]").check()
    page.wait_for_url(re.compile(r".*spec\.undercarriage=crawler.*"))
    assert card_ids(page) == {listings[k] for k in ("u27-jp", "u27-de", "tb230-gb", "pc200-jp", "pc200-us")}
    assert page.locator("fieldset[data-spec=undercarriage] input[value=crawler]").is_checked()

    # a range is typed in the buyer's unit (tonnes here) and applies on change
    page.locator("input[name='spec.operating_weight.max']").fill("5")
    page.locator("input[name='spec.operating_weight.max']").press("Enter")
    page.wait_for_url(re.compile(r".*spec\.operating_weight\.max=5.*"))
    assert "spec.undercarriage=crawler" in page.url
    assert card_ids(page) == {listings[k] for k in ("u27-jp", "u27-de", "tb230-gb")}
    assert page.locator("[data-testid=count]").inner_text().startswith("3 machines")
    # the other makers keep their counts among the light machines (disjunctive facets)
    assert (
        page.locator("fieldset[data-facet=maker] label", has_text="Takeuchi").locator(".count").inner_text()
        == "1"
    )
    screenshot(page, "narrowed")

    # back restores the previous state
    page.go_back()
    page.wait_for_url(re.compile(r"^(?!.*operating_weight\.max=5).*spec\.undercarriage=crawler.*"))
    assert len(card_ids(page)) == 5


def test_a_range_slider_sets_the_bound_shades_the_histogram_and_searches_when_let_go(
    live_server: Any, page: Any, screenshot: Any, listings: dict[str, int]
) -> None:
    page.goto(f"{live_server.url}/search/?category=excavators")
    weight = page.locator("fieldset[data-spec=operating_weight]")
    high = weight.locator(".slider .high")
    assert (high.get_attribute("min"), high.get_attribute("max"), high.input_value()) == (
        "2.7",
        "20.5",
        "20.5",
    )
    assert weight.locator(".histogram .bar.outside").count() == 0

    # drag the upper thumb from the right end to a fifth of the way: about 6 t
    box = weight.locator(".slider").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 7, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, y, steps=8)
    typed = float(weight.locator("input[name='spec.operating_weight.max']").input_value())
    assert 4 < typed < 8  # the bound follows the thumb before anything is sent
    assert weight.locator(".histogram .bar.outside").count() >= 5
    screenshot(page, "dragging")
    page.mouse.up()

    page.wait_for_url(re.compile(r".*spec\.operating_weight\.max=.*"))
    assert card_ids(page) == {listings[k] for k in ("u27-jp", "u27-de", "tb230-gb")}
    weight = page.locator("fieldset[data-spec=operating_weight]")
    assert float(weight.locator("input[name='spec.operating_weight.max']").input_value()) == typed
    assert (
        float(weight.locator(".slider .high").input_value()) == typed
    )  # the slider stays where it was let go
    assert weight.locator(".slider .low").input_value() == "2.7"  # the other bound is untouched, so unset
    assert parse_qs(urlparse(page.url).query).get("spec.operating_weight.min") is None  # blank: no bound
    screenshot(page, "slid")


def test_imperial_buyers_see_and_type_pounds(
    live_server: Any, page: Any, screenshot: Any, listings: dict[str, int]
) -> None:
    page.goto(f"{live_server.url}/search/?units=imperial&spec.operating_weight.max=7500")

    weight = page.locator("fieldset[data-spec=operating_weight]")
    assert weight.locator("legend").inner_text() == "Operating weight (lb)"
    assert weight.locator("input[name='spec.operating_weight.max']").input_value() == "7500"
    assert card_ids(page) == {listings[k] for k in ("u27-jp", "u27-de", "tb230-gb")}
    assert page.locator("fieldset[data-spec=engine_power] legend").inner_text() == "Engine power (hp)"
    screenshot(page, "imperial")


@pytest.mark.parametrize("width", [1366, 390])
def test_results_show_before_the_spec_facets_which_fill_in_without_moving_them(
    live_server: Any, page: Any, screenshot: Any, listings: dict[str, int], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    held: list[Any] = []  # the spec-facet requests, answered only when the test says so
    page.route("**/search/spec-facets/**", lambda route: held.append(route))
    with page.expect_request("**/search/spec-facets/**"):
        page.goto(f"{live_server.url}/search/?category=excavators")

    # the spec facets were asked for and are held back: the results are already there
    assert len(held) == 1
    cards = page.locator(".result-card")
    assert cards.count() == 5
    assert cards.first.is_visible()
    assert cards.first.bounding_box()["y"] < 900  # on the first screen, at either width
    assert page.locator("[data-testid=count]").inner_text().startswith("5 machines")
    if width > 800:
        assert page.locator("[data-testid=spec-loading]").is_visible()
    else:  # in the filter drawer, closed over the results
        assert page.locator("[data-testid=spec-loading]").count() == 1
        assert page.locator("[data-testid=filters-toggle]").is_visible()
    assert page.locator("fieldset[data-spec]").count() == 0
    before = [cards.nth(index).bounding_box() for index in range(cards.count())]
    screenshot(page, "results-first")

    held[0].continue_()
    # on a phone, in the closed drawer
    page.locator("fieldset[data-spec=operating_weight]").wait_for(state="attached")

    assert page.locator("#spec-facets").get_attribute("aria-busy") is None
    assert page.locator("[data-testid=spec-loading]").count() == 0
    assert [cards.nth(index).bounding_box() for index in range(cards.count())] == before
    screenshot(page, "facets-filled")


def test_a_spec_filter_stays_in_the_form_while_its_facets_load(
    live_server: Any, page: Any, listings: dict[str, int]
) -> None:
    """Ticking another filter before the spec facets come keeps the spec filters of the URL."""
    held: list[Any] = []
    page.route("**/search/spec-facets/**", lambda route: held.append(route))
    with page.expect_request("**/search/spec-facets/**"):
        page.goto(
            f"{live_server.url}/search/?category=excavators&spec.undercarriage=crawler&spec.operating_weight.max=5"
        )
    assert page.locator("fieldset[data-spec]").count() == 0

    page.locator("fieldset[data-facet=maker] input[value=kubota]").check()
    page.wait_for_url(re.compile(r".*maker=kubota.*"))

    query = parse_qs(urlparse(page.url).query)
    assert query["spec.undercarriage"] == ["crawler"]
    assert query["spec.operating_weight.max"] == ["5"]
    for route in held:
        route.continue_()
    assert card_ids(page) == {listings["u27-jp"], listings["u27-de"]}


def test_switching_units_converts_the_spec_range_and_switching_back_restores_it(
    live_server: Any, page: Any, screenshot: Any, listings: dict[str, int]
) -> None:
    """Issue 20: the switch reinterpreted "3.3" as pounds, found nothing and hid every facet."""
    minis = {listings[k] for k in ("u27-jp", "u27-de", "tb230-gb")}  # 2.7 t, 2.7 t, and exactly 3.3 t
    page.goto(f"{live_server.url}/search/?category=excavators&spec.operating_weight.max=3.3")
    assert card_ids(page) == minis

    page.select_option("select[data-switch=units]", "imperial")
    page.wait_for_url(re.compile(r".*units=imperial.*"))

    query = parse_qs(urlparse(page.url).query)
    # 3,300 kg is 7,275.2547 lb: rounded up, so the machine of exactly 3.3 t stays in
    assert query["spec.operating_weight.max"] == ["7275.26"]
    assert card_ids(page) == minis
    assert "Operating weight up to 7275.26 lb" in page.locator("[data-testid=chips]").inner_text()
    weight = page.locator("fieldset[data-spec=operating_weight]")
    assert weight.locator("legend").inner_text() == "Operating weight (lb)"
    assert weight.locator("input[name='spec.operating_weight.max']").input_value() == "7275.26"
    screenshot(page, "imperial")

    page.select_option("select[data-switch=units]", "metric")
    page.wait_for_url(re.compile(r".*units=metric.*"))

    assert parse_qs(urlparse(page.url).query)["spec.operating_weight.max"] == ["3.3"]
    assert card_ids(page) == minis
