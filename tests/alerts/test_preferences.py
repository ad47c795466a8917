"""Alert preferences on the profile page: drawn by the alerts app's template tag, saved by
its view, refused whole when a value is bad; the page fits a phone and a laptop in English
and Japanese, with no serious accessibility violation (axe) and no English left in Japanese."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alerts.kinds import KINDS, Audience, Email
from alerts.models import AlertSettings, Preference
from alerts.preferences import choices_for, mail_window
from tests.factories import SellerFactory, UserFactory
from tests.marketplace.test_accessibility import violations
from tests.marketplace.test_japanese import english_words
from tests.marketplace.test_pages import log_in


def form_data(**changes: str) -> dict[str, str]:
    data = {"timezone": "Asia/Tokyo", "digest_time": "07:00", "quiet_start": "22:00", "quiet_end": "06:00"}
    data["email_enabled"] = "on"
    for code, kind in KINDS.items():
        data[f"email_{code}"] = kind.email.value
        if kind.site:
            data[f"site_{code}"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value != "-"}


@pytest.mark.django_db
def test_the_profile_page_shows_the_defaults_and_saves_the_choices() -> None:
    buyer = UserFactory.create()
    client = Client()
    client.force_login(buyer)

    page = client.get(reverse("profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="alert-preferences"' in html
    assert 'data-audience="seller"' not in html  # a buyer is not shown the seller's kinds
    assert '<option value="digest" selected>' not in html.split('data-kind="outbid"')[1].split("</tr>")[0]

    saved = client.post(
        reverse("alerts-preferences"),
        form_data(email_outbid="digest", site_listing_sold="-", email_enabled="-"),
    )

    assert saved.status_code == 302
    assert saved["Location"] == reverse("profile")
    choices = choices_for(buyer.pk)
    assert choices["outbid"].email == Email.DIGEST
    assert choices["listing_sold"].site is False
    window = mail_window(buyer.pk)
    assert (
        window.timezone,
        window.digest_time,
        window.quiet_start,
        window.quiet_end,
        window.email_enabled,
    ) == (
        "Asia/Tokyo",
        time(7, 0),
        time(22, 0),
        time(6, 0),
        False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [{"timezone": "Mars/Olympus_Mons"}, {"email_outbid": "hourly"}, {"quiet_end": "-"}, {"digest_time": "8"}],
)
def test_a_bad_value_saves_nothing(changes: dict[str, str]) -> None:
    buyer = UserFactory.create()
    client = Client()
    client.force_login(buyer)

    response = client.post(
        reverse("alerts-preferences"), form_data(**{"email_outbid": "off", **changes}), follow=True
    )

    assert response.status_code == 200
    assert "Your alert preferences were not saved" in response.content.decode()
    assert not Preference.objects.exists()
    assert not AlertSettings.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_log_in() -> None:
    response = Client().post(reverse("alerts-preferences"), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not AlertSettings.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_preferences_fit_a_phone_and_a_laptop_and_save(
    live_server: Any, browser: Any, screenshot: Any, language: str
) -> None:
    seller = SellerFactory.create(username=f"prefs-{language}", primary_language_id=language)
    for width in (390, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
        page = context.new_page()
        log_in(page, live_server.url, seller.username)
        page.goto(f"{live_server.url}/accounts/profile/?lang={language}")
        section = page.get_by_test_id("alert-preferences")
        assert section.locator("table[data-audience=seller] tr[data-kind]").count() == sum(
            kind.audience == Audience.SELLER for kind in KINDS.values()
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"wider than {width}"
        )
        screenshot(page, f"{width}")
        assert violations(page) == []
        if language == "ja":
            assert english_words(page) == []
        if width == 390:
            section.locator("tr[data-kind=new_bid] select").select_option("immediate")
            section.locator("button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/accounts/profile/")
            assert page.locator(".messages .success").count() == 1
        context.close()
    assert Preference.objects.get(user=seller, kind="new_bid").email == Email.IMMEDIATE
