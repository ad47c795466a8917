"""The listing page, the enquiry pages and the seller's dashboard in a real browser: a buyer
looks through a listing's photos with the keyboard and a swipe, asks the seller about it; the
seller sees the unread count in the header, opens the inbox and replies; the buyer reads the
reply. At a phone's width and a laptop's, in English and Japanese, none scrolls sideways."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from auctions.services.closing import auction_close
from marketplace import services
from marketplace.models import Enquiry, Machine, SpecCategory, SpecDefinition
from marketplace.selectors import clear_definition_cache
from tests.factories import MachineFactory, SellerFactory, UserFactory, model_with_specs, open_auction
from tests.marketplace.test_japanese import english_words
from tests.marketplace.test_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1366]
COLOURS = [(220, 160, 20), (40, 90, 160), (90, 150, 60)]


def jpeg(colour: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def listing(machine_index: str) -> Machine:
    seller = SellerFactory.create(
        username="enquiry-seller",
        company_name="Kanto Machinery KK",
        country_id="JP",
        primary_language_id="en",
    )
    model = model_with_specs(model_number="PC200-8")
    machine = MachineFactory.create(seller=seller, model=model, region="Chiba")
    MachineFactory.create(seller=seller, model=model)  # another of the seller's listings
    for colour in COLOURS:
        services.photo_add(actor=seller, machine_id=machine.pk, upload=jpeg(colour), size=10_000)
    UserFactory.create(username="enquiry-buyer")
    return machine


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def new_page(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 900}, locale="en-US").new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_buyer_asks_and_the_seller_replies(
    live_server: Any, browser: Any, screenshot: Any, listing: Machine, width: int
) -> None:
    base = live_server.url
    buyer = new_page(browser, width)
    log_in(buyer, base, "enquiry-buyer")
    buyer.goto(f"{base}/machines/{listing.pk}/")
    wide = [] if fits(buyer) else ["listing"]

    # the seller card: company, country, member since, other listings
    card = buyer.locator("[data-testid=seller-card]")
    assert "Kanto Machinery KK" in card.inner_text()
    assert "Japan" in card.inner_text()
    assert buyer.locator("[data-testid=seller-other-listings]").inner_text() == "1"
    assert buyer.locator("[data-testid=location]").inner_text() == "Chiba, Japan"

    # the gallery with the keyboard: right, left (wrapping round), and a thumbnail
    counter = buyer.locator("[data-testid=photo-count]")
    assert counter.inner_text() == "1 / 3"
    buyer.focus("#gallery-stage")
    buyer.keyboard.press("ArrowRight")
    assert counter.inner_text() == "2 / 3"
    second = buyer.locator(".thumb").nth(1)
    assert buyer.get_attribute("#main-photo", "src") == second.get_attribute("data-full")
    assert second.get_attribute("aria-current") == "true"
    assert "photo 2 of 3" in (buyer.get_attribute("#main-photo", "alt") or "")
    buyer.keyboard.press("ArrowLeft")
    buyer.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "3 / 3"
    buyer.locator(".thumb").nth(0).focus()
    buyer.keyboard.press("ArrowRight")
    assert counter.inner_text() == "2 / 3"
    assert buyer.evaluate("document.activeElement.dataset.index") == "1"  # focus follows on the thumbnails
    # a swipe to the left on the photo shows the next one
    box = buyer.locator("#main-photo").bounding_box()
    middle_y = box["y"] + box["height"] / 2
    buyer.mouse.move(box["x"] + box["width"] * 0.8, middle_y)
    buyer.mouse.down()
    buyer.mouse.move(box["x"] + box["width"] * 0.2, middle_y, steps=5)
    buyer.mouse.up()
    assert counter.inner_text() == "3 / 3"
    screenshot(buyer, f"listing-{width}")

    # the enquiry
    buyer.fill("#enquiry-body", "Is the undercarriage original? Could it be delivered to Osaka?")
    buyer.click("[data-testid=send-enquiry]")
    buyer.wait_for_url(re.compile(r".*/enquiries/\d+/$"))
    enquiry = Enquiry.objects.get()
    assert "Is the undercarriage original?" in buyer.locator("[data-testid=thread]").inner_text()

    # the seller: one unread in the header and on the dashboard; the inbox; the reply
    seller = new_page(browser, width)
    log_in(seller, base, "enquiry-seller")
    assert seller.locator("[data-testid=nav-messages]").inner_text() == "Messages (1)"
    seller.goto(f"{base}/sell/")
    row = seller.locator(f"tr[data-machine='{listing.pk}']")
    assert row.locator("[data-testid=enquiries]").inner_text() == "1 1 unread"
    assert row.locator("[data-testid=watchers]").inner_text() == "0"
    assert "Start auction" in row.locator("[data-testid=auction-state]").inner_text()
    wide += [] if fits(seller) else ["dashboard"]
    screenshot(seller, f"dashboard-{width}")
    seller.click("[data-testid=nav-messages]")
    seller.wait_for_url(re.compile(r".*/enquiries/$"))
    item = seller.locator(f"[data-enquiry='{enquiry.pk}']")
    assert "unread" in (item.get_attribute("class") or "")
    assert "From buyer enquiry-buyer" in item.inner_text()
    wide += [] if fits(seller) else ["inbox"]
    screenshot(seller, f"inbox-{width}")
    item.locator("a").click()
    seller.wait_for_url(re.compile(rf".*/enquiries/{enquiry.pk}/$"))
    assert seller.locator("[data-testid=nav-messages]").inner_text() == "Messages (0)"
    seller.fill("#reply-body", "Yes, original, and we deliver to Osaka for 80,000 yen.")
    seller.click("[data-testid=send-reply]")
    seller.wait_for_url(re.compile(rf".*/enquiries/{enquiry.pk}/$"))
    assert "we deliver to Osaka" in seller.locator("[data-testid=thread]").inner_text()
    wide += [] if fits(seller) else ["thread"]
    screenshot(seller, f"thread-seller-{width}")

    # the buyer sees the reply
    buyer.goto(f"{base}/machines/{listing.pk}/")
    assert buyer.locator("[data-testid=nav-messages]").inner_text() == "Messages (1)"
    buyer.click("[data-testid=my-enquiry]")
    thread = buyer.locator("[data-testid=thread]").inner_text()
    assert thread.index("Is the undercarriage original?") < thread.index("we deliver to Osaka")
    assert buyer.locator("[data-testid=nav-messages]").inner_text() == "Messages (0)"
    wide += [] if fits(buyer) else ["thread"]
    screenshot(buyer, f"thread-buyer-{width}")

    assert wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_owner_and_visitors_see_what_is_theirs(
    live_server: Any, browser: Any, listing: Machine, width: int
) -> None:
    visitor = new_page(browser, width)
    visitor.goto(f"{live_server.url}/machines/{listing.pk}/")
    assert visitor.locator("[data-testid=login-to-contact]").is_visible()
    assert visitor.locator("#enquiry-body").count() == 0
    assert visitor.locator("[data-testid=nav-messages]").count() == 0

    owner = new_page(browser, width)
    log_in(owner, live_server.url, "enquiry-seller")
    owner.goto(f"{live_server.url}/machines/{listing.pk}/")
    assert owner.locator("[data-testid=contact]").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_in_japanese(
    live_server: Any, browser: Any, screenshot: Any, listing: Machine, width: int
) -> None:
    for definition in SpecDefinition.objects.all():  # the catalogue's words in Japanese too
        definition.names["ja"] = "\u4ed5\u69d8"
        definition.save(update_fields=["names"])
    for spec_category in SpecCategory.objects.all():
        spec_category.names["ja"] = "\u5206\u985e"
        spec_category.save(update_fields=["names"])
    clear_definition_cache()
    open_auction(machine=MachineFactory.create(seller=listing.seller, model=listing.model))
    buyer = UserFactory.create(username="kaite")
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="\u6301\u3061\u4e3b\u306f\uff1f")
    wide, english = [], {}
    for username, pages in (
        ("kaite", {"listing": f"/machines/{listing.pk}/", "thread": f"/enquiries/{enquiry.pk}/"}),
        ("enquiry-seller", {"inbox": "/enquiries/", "dashboard": "/sell/"}),
    ):
        page = new_page(browser, width)
        page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server.url}])
        log_in(page, live_server.url, username)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert page.get_attribute("html", "lang") == "ja"
            if not fits(page):
                wide.append(name)
            if words := english_words(page):
                english[name] = words
            screenshot(page, f"ja-{name}")
        if username == "enquiry-seller":
            assert (
                page.locator("[data-testid=nav-messages]").inner_text()
                == "\u30e1\u30c3\u30bb\u30fc\u30b8 (1)"
            )
    assert wide == []
    assert english == {}


@pytest.mark.django_db
def test_the_dashboard_shows_each_listings_auction_state(client: Any) -> None:
    seller = SellerFactory.create(username="auctioneer", primary_language_id="en")
    model = model_with_specs()
    idle = MachineFactory.create(seller=seller, model=model)
    live = open_auction(machine=MachineFactory.create(seller=seller, model=model), starting=150_000)
    upcoming = open_auction(
        machine=MachineFactory.create(seller=seller, model=model), started_seconds_ago=-7200, seconds=10800
    )
    ended = open_auction(machine=MachineFactory.create(seller=seller, model=model))
    auction_close(auction_id=ended.pk, now=ended.ends_at + timedelta(seconds=1))
    client.force_login(seller)

    page = client.get("/sell/").content.decode()

    def cell(machine_id: int) -> str:
        row = page.split(f'data-machine="{machine_id}"', 1)[1].split("</tr>", 1)[0]
        state = row.split('data-testid="auction-state">', 1)[1].split("</td>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", state).split())

    assert cell(idle.pk) == "— Start auction"
    assert cell(live.machine_id) == "Live · Starting price €1,500.00"
    assert cell(upcoming.machine_id).startswith("Upcoming · starts in 1 hour")
    assert cell(ended.machine_id) == "Ended · Not sold: nobody bid. · Start auction"
