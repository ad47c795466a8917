"""The catalogue pages in a real browser: a seller lists a machine with specs and photos and
publishes it; a buyer sees it in their units and currency and watches it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PIL import Image

from marketplace.models import Machine, MachineModel, MachineStatus, Photo
from tests.factories import PASSWORD, UserFactory, model_with_specs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg_file(tmp_path: Any, name: str, color: tuple[int, int, int]) -> str:
    path = tmp_path / name
    Image.new("RGB", (1200, 900), color).save(path, format="JPEG")
    return str(path)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_a_seller_lists_a_machine_and_a_buyer_watches_it(
    live_server: Any, browser: Any, screenshot: Any, tmp_path: Any
) -> None:
    model = model_with_specs(model_number="PC200-8")
    buyer = UserFactory.create(username="buyer-us", display_currency_id="USD")
    seller_page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()

    # the seller signs up through the page
    seller_page.goto(f"{live_server.url}/accounts/signup/")
    seller_page.fill("input[name=username]", "osaka-iron")
    seller_page.fill("input[name=email]", "sales@osaka-iron.example")
    seller_page.fill("input[name=password]", PASSWORD)
    seller_page.check("input[name=is_seller]")
    seller_page.fill("input[name=company_name]", "Osaka Iron Works")
    seller_page.select_option("select[name=country]", "JP")
    seller_page.click("main button[type=submit]")
    seller_page.wait_for_url(re.compile(r".*/sell/$"))

    # creates a listing with specs in their unit system (metric: tonnes)
    seller_page.click("[data-testid=new-listing]")
    # the model by typing: the box offers the models matching every word, and one is chosen
    seller_page.locator("[data-testid=model-search]").press_sequentially("pc200", delay=20)
    offered = seller_page.locator("#model-options option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert offered == [f"{model.maker.name} {model.model_number}"]
    seller_page.fill("[data-testid=model-search]", offered[0])
    assert seller_page.locator("#model-chosen").inner_text() == offered[0]
    # the seller's country and currency are already filled in from their profile
    assert seller_page.locator("select[name=country]").input_value() == "JP"
    seller_page.fill("input[name=year]", "2016")
    seller_page.fill("input[name=hours]", "6200")
    seller_page.select_option("select[name=country]", "JP")
    seller_page.fill("input[name=region]", "Osaka")
    seller_page.fill("input[name=price]", "8800000")
    seller_page.select_option("select[name=currency]", "JPY")
    seller_page.fill("input[name=title_en]", "Komatsu PC200-8 excavator, one owner")
    seller_page.fill("input[name=title_ja]", "コマツ PC200-8 油圧ショベル ワンオーナー")
    seller_page.fill("input[name=spec_operating_weight]", "20.8")
    seller_page.select_option("select[name=spec_undercarriage]", "crawler")
    seller_page.click("[data-testid=save-listing]")
    seller_page.wait_for_url(re.compile(r".*/sell/\d+/edit/$"))
    machine = Machine.objects.get()
    assert machine.status == MachineStatus.DRAFT
    assert machine.spec_values.get(definition__code="operating_weight").value_number == pytest.approx(20800)

    # uploads two photos and publishes
    seller_page.set_input_files(
        "input[name=image]",
        [jpeg_file(tmp_path, "a.jpg", (220, 160, 20)), jpeg_file(tmp_path, "b.jpg", (40, 90, 160))],
    )
    seller_page.click("[data-testid=upload-photos]")
    seller_page.wait_for_selector(".thumb-static >> nth=1")
    assert Photo.objects.filter(machine=machine).count() == 2
    screenshot(seller_page, "seller-edit")
    seller_page.click("[data-testid=publish]")
    seller_page.wait_for_selector(f"tr[data-machine='{machine.pk}'] .status-published")
    screenshot(seller_page, "seller-dashboard")

    # a buyer opens the listing: price in their currency, the seller's original beside it
    buyer_page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    log_in(buyer_page, live_server.url, buyer.username)
    buyer_page.goto(f"{live_server.url}/machines/{machine.pk}/")
    assert buyer_page.locator("h1").inner_text() == "Komatsu PC200-8 excavator, one owner"
    assert buyer_page.locator("[data-testid=price]").inner_text() == "$59,304.35"
    assert "¥8,800,000" in buyer_page.locator(".price-original").inner_text()
    assert "20.80 t" in buyer_page.locator(".spec-table").first.inner_text()
    natural_width = buyer_page.locator("#main-photo").evaluate("image => image.naturalWidth")
    assert natural_width == 1200  # the photo really loads

    # watches it; the count is shown
    buyer_page.click("[data-testid=watch]")
    buyer_page.wait_for_selector("text=1 person watches this machine")
    assert buyer_page.locator("[data-testid=watch]").inner_text() == "Stop watching"

    # switches to imperial units
    buyer_page.select_option("select[data-switch=units]", "imperial")
    buyer_page.wait_for_selector("text=45,856 lb")
    screenshot(buyer_page, "buyer-detail")

    # and finds it on the watchlist
    buyer_page.goto(f"{live_server.url}/watchlist/")
    assert buyer_page.locator(f"li[data-machine='{machine.pk}']").is_visible()


def test_a_listing_with_bad_input_shows_errors_and_saves_nothing(
    live_server: Any, page: Any, screenshot: Any
) -> None:
    model_with_specs()
    seller = UserFactory.create(
        username="seller-bad-input", is_seller=True, company_name="X", country_id="DE"
    )
    log_in(page, live_server.url, seller.username)

    page.goto(f"{live_server.url}/sell/new/")
    model = MachineModel.objects.get()
    page.fill("[data-testid=model-search]", f"{model.maker.name} {model.model_number}")
    page.fill("input[name=year]", "2999")
    page.fill("input[name=hours]", "-5")
    page.select_option("select[name=country]", "DE")
    page.fill("input[name=price]", "45000")
    page.select_option("select[name=currency]", "EUR")
    page.fill("input[name=title_en]", "Excavator")
    page.fill("input[name=spec_operating_weight]", "heavy")
    page.click("[data-testid=save-listing]")

    page.wait_for_selector(".has-error")
    errors = page.locator(".error").all_inner_texts()
    assert "Cannot be in the future." in errors
    assert "Cannot be negative." in errors
    assert any("Must be a number" in error for error in errors)
    assert Machine.objects.count() == 0
    screenshot(page, "errors")


def test_the_machine_page_speaks_japanese(live_server: Any, page: Any, screenshot: Any) -> None:
    from tests.factories import MachineFactory

    machine = MachineFactory.create(
        model=model_with_specs(), title={"en": "Komatsu excavator", "ja": "コマツ 油圧ショベル"}
    )
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server.url}])

    page.goto(f"{live_server.url}/machines/{machine.pk}/")

    assert page.locator("h1").inner_text() == "コマツ 油圧ショベル"
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator(".specs h2").inner_text() == "仕様"
    screenshot(page, "ja")
