"""An alert's whole journey, as its people live it: a Japanese buyer on a phone saves the
search they are looking at, to be told by email; a seller publishes a machine it finds; the
outbox worker percolates it; the buyer's open page rings without a reload; the bell leads to
the notifications page and on to the listing; the email arrives in Japanese with a link to the
listing and a working one-click unsubscribe. Against a real ASGI server, the engine,
PostgreSQL, Redis and an in-process SMTP server."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from alerts.models import Notification, Preference, SavedSearch
from alerts.projection import apply_events
from alerts.sender import emails_send_due
from bench.common import asgi_server
from core.money import Money
from marketplace import services
from marketplace.outbox import drain_rows
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.alerts.mailbox import SmtpServer
from tests.auctions.test_live_page import logged_in_page, server_environment
from tests.factories import MachineFactory, SellerFactory, UserFactory, model_with_specs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drain_alerts() -> None:
    """What `manage.py outbox_worker` does with the alerts topic, here in the test's process."""
    result = drain_rows("alerts", apply_events)
    assert not result.failed, result.error


def test_a_saved_search_tells_its_buyer_of_a_new_listing_live_and_by_email(
    browser: Any, screenshot: Any, percolator_index: str, smtp_settings: SmtpServer
) -> None:
    model = model_with_specs(maker__slug="komatsu", maker__name="Komatsu", model_number="PC200-8")
    existing = MachineFactory.create(model=model, title={"en": "Komatsu PC200-8 excavator"})
    apply_changes({"machine": {existing.pk}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    buyer = UserFactory.create(username="journey-sato", primary_language_id="ja", email="sato@example.jp")
    seller = SellerFactory.create()

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        page = logged_in_page(browser, base, "journey-sato", language="ja")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/search/?q=komatsu&maker=komatsu&lang=ja")
        expect(page.locator("[data-machine]")).to_have_count(1)
        page.click("[data-testid=save-search] summary")
        page.fill("[data-testid=save-search-name]", "\u30b3\u30de\u30c4")  # コマツ
        page.select_option("[data-testid=save-search-delivery]", "email")
        page.click("[data-testid=save-search-submit]")
        page.wait_for_url(re.compile(r".*/saved-searches/$"))
        saved = SavedSearch.objects.get(user=buyer)
        # the saved search reads as the search page's chips did, not as a query string
        expect(page.locator(".saved-search-query")).to_have_text(
            "komatsu, Komatsu"
        )  # the maker has no Japanese name here
        drain_alerts()  # the saved search reaches the percolator
        expect(page.get_by_test_id("bell")).to_have_attribute("data-live", "true")
        expect(page.get_by_test_id("bell-count")).to_be_hidden()

        # a seller lists a machine the search finds, and publishes it
        listed = services.machine_create(
            seller=seller, model_id=model.pk, year=2019, hours=4200, country="JP",
            price=Money(12_000_000, "JPY"), title={"en": "Komatsu PC200-8, one owner"},
        )  # fmt: skip
        services.machine_publish(actor=seller, machine_id=listed.pk)
        drain_alerts()
        drain_alerts()  # a second pass (a retried batch) tells nothing more

        count = page.get_by_test_id("bell-count")
        expect(count).to_have_text("1")
        expect(count).to_be_visible()
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "journey-bell-390")

        page.get_by_test_id("bell").click()
        page.wait_for_url(re.compile(r".*/notifications/$"))
        (item,) = page.locator("[data-notification]").all()
        # 「コマツ」に新着: the sentence in Japanese, the name and the title as their people wrote them
        expect(item).to_contain_text(
            "\u300c\u30b3\u30de\u30c4\u300d\u306b\u65b0\u7740: Komatsu PC200-8, one owner"
        )
        screenshot(page, "journey-notifications-390")
        item.locator("a").first.click()
        page.wait_for_url(re.compile(rf".*/machines/{listed.pk}/.*"))
        page.context.close()

    (told,) = Notification.objects.filter(user=buyer)
    assert (told.kind, told.machine_id, told.read_at is not None) == ("saved_search_match", listed.pk, True)
    assert emails_send_due().sent == 1
    (received,) = smtp_settings.recorder.messages()
    assert received.rcpt_tos == ["sato@example.jp"]
    assert "\u30b3\u30de\u30c4" in received.message["Subject"]
    assert f"https://market.example.com/machines/{listed.pk}/" in received.text()
    unsubscribe = urlsplit(received.message["List-Unsubscribe"].strip().strip("<>")).path
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # the mail client's one-click unsubscribe: that kind of email stops, nothing else changes
    response = Client().post(
        unsubscribe.removeprefix("https://market.example.com"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=buyer, kind="saved_search_match").email == "off"
    assert SavedSearch.objects.filter(pk=saved.pk, paused=False).exists()
