"""The saved searches in a real browser: a buyer saves the search they are looking at (its
name drawn from the query), finds it on the saved searches page, opens it, renames it,
changes how it tells, pauses, resumes and deletes it; a signed-out visitor is asked to log in.
At a phone's width and a laptop's, in English and Japanese, none scrolls sideways, and axe-core
finds no serious or critical violation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from alerts.models import SavedSearch
from tests.factories import MachineFactory, MachineModelFactory, UserFactory
from tests.marketplace.test_accessibility import violations
from tests.marketplace.test_japanese import english_words
from tests.marketplace.test_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1366]


def new_page(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 900}, locale="en-US").new_page()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.fixture
def listing(machine_index: str) -> Any:
    from search.sync import apply_changes

    model = MachineModelFactory.create(maker__slug="komatsu", maker__name="Komatsu", model_number="PC200-8")
    machine = MachineFactory.create(model=model, title={"en": "Komatsu PC200-8 excavator"})
    apply_changes({"machine": {machine.pk}})
    from search.client import get_client
    from search.indices import MACHINES, alias_name

    get_client().indices.refresh(index=alias_name(MACHINES))
    return machine


@pytest.mark.parametrize("width", WIDTHS)
def test_a_buyer_saves_a_search_and_manages_it(
    live_server: Any, browser: Any, screenshot: Any, listing: Any, width: int
) -> None:
    buyer = UserFactory.create(username="saving-buyer")
    base = live_server.url
    page = new_page(browser, width)
    log_in(page, base, "saving-buyer")

    page.goto(f"{base}/search/?q=komatsu&maker=komatsu&year_min=2010&limit=20&hours_max=")
    assert page.locator("[data-machine]").count() == 1
    page.click("[data-testid=save-search] summary")
    assert page.locator("[data-testid=save-search-name]").input_value() == "komatsu, Komatsu, Year from 2010"
    assert fits(page)
    assert violations(page) == []
    screenshot(page, f"save-{width}")
    page.fill("[data-testid=save-search-name]", "Komatsu since 2010")
    page.select_option("[data-testid=save-search-delivery]", "email")
    page.click("[data-testid=save-search-submit]")
    page.wait_for_url(re.compile(r".*/saved-searches/$"))

    saved = SavedSearch.objects.get(user=buyer)
    assert (saved.name, saved.query, saved.delivery) == (
        "Komatsu since 2010", "maker=komatsu&q=komatsu&year_min=2010", "email")  # fmt: skip
    item = page.locator(f"[data-saved-search='{saved.pk}']")
    assert item.locator("[data-testid=open-saved-search]").inner_text() == "Komatsu since 2010"
    assert fits(page)
    assert violations(page) == []
    screenshot(page, f"list-{width}")

    item.locator("[data-testid=rename-input]").fill("Komatsu 2010+")
    item.locator("[data-testid=rename]").click()
    page.wait_for_load_state()
    item.locator("[data-testid=delivery-select]").select_option("digest")
    item.locator("[data-testid=change-delivery]").click()
    page.wait_for_load_state()
    item.locator("[data-testid=pause]").click()
    item.locator("[data-testid=paused]").wait_for()
    saved.refresh_from_db()
    assert (saved.name, saved.delivery, saved.paused) == ("Komatsu 2010+", "digest", True)
    item.locator("[data-testid=resume]").click()
    item.locator("[data-testid=pause]").wait_for()
    saved.refresh_from_db()
    assert saved.paused is False

    item.locator("[data-testid=open-saved-search]").click()
    page.wait_for_url(re.compile(r".*/search/\?.*"))
    assert dict(parse_qsl(urlsplit(page.url).query)) == {
        "maker": "komatsu",
        "q": "komatsu",
        "year_min": "2010",
    }
    assert page.locator("[data-machine]").count() == 1

    page.goto(f"{base}/saved-searches/")
    page.locator(f"[data-saved-search='{saved.pk}'] [data-testid=delete]").click()
    page.locator("[data-testid=saved-searches] .empty").wait_for()
    assert not SavedSearch.objects.exists()


def test_a_signed_out_visitor_is_asked_to_log_in(live_server: Any, browser: Any, listing: Any) -> None:
    page = new_page(browser, 390)
    page.goto(f"{live_server.url}/search/?q=komatsu")

    link = page.locator("[data-testid=save-search-login]")
    assert link.get_attribute("href") == "/accounts/login/?next=%2Fsearch%2F%3Fq%3Dkomatsu"
    assert page.locator("[data-testid=save-search] form").count() == 0
    page.goto(f"{live_server.url}/saved-searches/")
    assert "/accounts/login/" in page.url


def test_another_persons_saved_search_cannot_be_changed(client: Any) -> None:
    owner, stranger = UserFactory.create(), UserFactory.create()
    saved = SavedSearch.objects.create(user=owner, name="Mine", query="q=crane")
    client.force_login(stranger)

    response = client.post(f"/saved-searches/{saved.pk}/", {"action": "delete"})

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_a_refused_save_says_why_and_keeps_nothing(client: Any) -> None:
    client.force_login(UserFactory.create())

    response = client.post("/saved-searches/", {"name": "Bad", "query": "year_min=abc", "delivery": "site"})

    assert response.status_code == 400
    assert "year_min" in response.content.decode()
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_saved_searches_page_in_japanese(
    live_server: Any, browser: Any, screenshot: Any, width: int
) -> None:
    buyer = UserFactory.create(username="nihon-buyer", primary_language_id="ja")
    SavedSearch.objects.create(
        user=buyer, name="\u30b3\u30de\u30c4", query="maker=komatsu&q=%E3%82%B3%E3%83%9E%E3%83%84"
    )
    page = new_page(browser, width)
    log_in(page, live_server.url, "nihon-buyer")

    page.goto(f"{live_server.url}/saved-searches/")

    assert page.locator("h1").inner_text() == "\u4fdd\u5b58\u3057\u305f\u691c\u7d22"
    assert english_words(page) == []
    assert fits(page)
    screenshot(page, f"ja-{width}")
