"""Whole journeys through the pages, in a real browser, as the people who use them walk them
(issue 20): a buyer on a phone from the home page to an enquiry and the watchlist; a seller
from a new listing with photos to an auction; a Japanese buyer. (Two bidders through an
auction's end: tests/auctions/test_live_page.py; the unit switch with a spec range set:
tests/search/test_spec_facets_page.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PIL import Image

from auctions.models import Auction
from marketplace.models import Enquiry, Machine, MachineStatus, Photo, WatchlistEntry
from tests.factories import SellerFactory, UserFactory, model_with_specs
from tests.marketplace.test_japanese import english_words
from tests.marketplace.test_pages import log_in
from tests.search.catalogue import build_catalogue, fresh_machine_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def signed_in(browser: Any, base: str, username: str, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    log_in(page, base, username)
    return page


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_buyer_on_a_phone_finds_a_machine_asks_the_seller_and_watches_it(
    live_server: Any, browser: Any, screenshot: Any
) -> None:
    fresh_machine_index()
    seller = SellerFactory.create(
        username="journey-seller", company_name="Journey Iron", primary_language_id="en"
    )
    ids = build_catalogue(seller)
    UserFactory.create(username="journey-buyer")
    page = signed_in(browser, live_server.url, "journey-buyer", viewport=PHONE, locale="en-US")

    # home → search
    page.fill("main input[name=q]", "excavator")
    page.press("main input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/search/\?q=excavator"))
    fits(page)
    assert page.locator(".result-card").first.bounding_box()["y"] < PHONE["height"]
    screenshot(page, "1-results")

    # filter in the drawer
    page.click("[data-testid=filters-toggle]")
    page.locator("fieldset[data-facet=maker] input[value=hitachi]").check()
    page.click("[data-testid=filters-close]")
    page.wait_for_url(re.compile(r".*maker=hitachi.*"))
    assert page.locator(".result-card").count() == 1
    screenshot(page, "2-filtered")

    # the listing
    page.locator(".result-card h3 a").first.click()
    # the result's link says which search it came from and where (the click's event)
    page.wait_for_url(re.compile(rf".*/machines/{ids['zx200-ja']}/\?sr=[0-9a-f-]{{36}}&pos=1$"))
    fits(page)
    screenshot(page, "3-listing")

    # an enquiry to the seller
    page.fill("textarea[name=body]", "Is the undercarriage original? Can you ship to Rotterdam?")
    with page.expect_navigation():
        page.click("[data-testid=send-enquiry]")
    enquiry = Enquiry.objects.get()
    assert (enquiry.machine_id, enquiry.buyer.username, enquiry.seller_id) == (
        ids["zx200-ja"],
        "journey-buyer",
        seller.pk,
    )

    # watch it, and find it on the watchlist
    page.goto(f"{live_server.url}/machines/{ids['zx200-ja']}/")
    page.click("[data-testid=watch]")
    page.wait_for_selector("text=1 person watches this machine")
    page.goto(f"{live_server.url}/watchlist/")
    assert page.locator(f"[data-machine='{ids['zx200-ja']}']").is_visible()
    assert WatchlistEntry.objects.filter(user__username="journey-buyer", machine_id=ids["zx200-ja"]).exists()
    fits(page)
    screenshot(page, "4-watchlist")


def test_a_seller_lists_with_photos_saves_unchanged_publishes_and_starts_an_auction(
    live_server: Any, browser: Any, screenshot: Any, tmp_path: Any
) -> None:
    model = model_with_specs(model_number="PC200-8")
    seller = SellerFactory.create(
        username="journey-lister", primary_language_id="en", country_id="JP", display_currency_id="JPY"
    )
    page = signed_in(
        browser, live_server.url, seller.username, viewport={"width": 1366, "height": 900}, locale="en-US"
    )

    # a new listing: the model by typing; country and currency from the profile
    page.goto(f"{live_server.url}/sell/new/")
    assert page.locator("select[name=currency]").input_value() == "JPY"
    page.fill("[data-testid=model-search]", f"{model.maker.name} {model.model_number}")
    page.fill("input[name=year]", "2016")
    page.fill("input[name=hours]", "6200")
    page.fill("input[name=price]", "8,800,000")
    page.fill("input[name=title_en]", "Komatsu PC200-8, one owner")
    page.fill("input[name=spec_operating_weight]", "20.8")
    page.click("[data-testid=save-listing]")
    page.wait_for_url(re.compile(r".*/sell/\d+/edit/$"))
    machine = Machine.objects.get()

    # photos: two, the second made the cover
    paths = []
    for name, colour in (("side.jpg", (200, 120, 0)), ("front.jpg", (30, 90, 160))):
        path = tmp_path / name
        Image.new("RGB", (1200, 900), colour).save(path, format="JPEG")
        paths.append(str(path))
    page.set_input_files("input[name=image]", paths)
    page.click("[data-testid=upload-photos]")
    page.wait_for_selector("[data-testid=photo-order] li:nth-child(2)")
    page.locator("[data-testid=make-cover]").click()
    page.wait_for_load_state()
    covers = list(Photo.objects.filter(machine=machine).order_by("position").values_list("pk", flat=True))
    assert page.locator("[data-testid=photo-order] li").first.get_attribute("data-photo") == str(covers[0])
    screenshot(page, "1-photos")

    # saved unchanged: saved, and nothing changed
    before = Machine.objects.values().get(pk=machine.pk)
    weight = machine.spec_values.get(definition__code="operating_weight").value_number
    page.click("[data-testid=save-listing]")
    page.wait_for_selector("text=Listing saved.")
    after = Machine.objects.values().get(pk=machine.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert machine.spec_values.get(definition__code="operating_weight").value_number == weight

    # publish, then an auction from the listing page, in yen as buyers see them
    page.click("[data-testid=publish]")
    page.wait_for_load_state()
    assert Machine.objects.get(pk=machine.pk).status == MachineStatus.PUBLISHED
    page.goto(f"{live_server.url}/machines/{machine.pk}/")
    form = page.locator("[data-testid=start-auction]")
    form.locator("input[name=starting_price]").fill("5,000,000")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/auctions/\d+/$"))
    auction = Auction.objects.get()
    assert (auction.currency, auction.starting_price) == ("JPY", 5_000_000)
    assert "¥5,000,000" in page.locator("main").inner_text()
    screenshot(page, "2-auction")


def test_a_japanese_buyer_searches_reads_and_asks_in_japanese(
    live_server: Any, browser: Any, screenshot: Any
) -> None:
    fresh_machine_index()
    ids = build_catalogue(SellerFactory.create(username="ja-journey-seller", company_name="Osaka Iron"))
    UserFactory.create(username="tanaka", primary_language_id="ja", display_currency_id="JPY")
    # the browser asks for English; the profile's language wins
    page = signed_in(browser, live_server.url, "tanaka", viewport=PHONE, locale="en-US")
    assert page.locator("html").get_attribute("lang") == "ja"

    page.fill("main input[name=q]", "油圧ショベル")
    page.press("main input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/search/.*"))
    assert "台" in page.locator("[data-testid=count]").inner_text()
    assert all(price.startswith("¥") for price in page.locator("[data-testid=card-price]").all_inner_texts())
    assert english_words(page) == []
    screenshot(page, "1-results")

    page.goto(f"{live_server.url}/machines/{ids['pc200-ja']}/")
    assert english_words(page) == []
    page.fill("textarea[name=body]", "下部走行体の状態を教えてください。")
    with page.expect_navigation():
        page.click("[data-testid=send-enquiry]")
    assert Enquiry.objects.get().messages.get().body == "下部走行体の状態を教えてください。"
    assert english_words(page) == []
    fits(page)
    screenshot(page, "2-asked")
