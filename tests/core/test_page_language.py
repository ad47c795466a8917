"""Which language a page speaks, and how search engines find each language's page (issue 20):
`?lang=` in the URL, else the reader's choice (cookie), else a signed-in user's profile
language, else the browser's; canonical and hreflang links; robots.txt and the sitemap."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from marketplace.models import MachineStatus
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


def lang_of(response: object) -> str:
    found = re.search(r'<html lang="([a-z-]+)"', response.content.decode())  # type: ignore[attr-defined]
    assert found
    return found.group(1)


def test_the_url_language_wins_and_is_kept_for_the_next_page(client: Client) -> None:
    response = client.get("/?lang=ja", HTTP_ACCEPT_LANGUAGE="en")

    assert lang_of(response) == "ja"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    assert lang_of(client.get("/search/", HTTP_ACCEPT_LANGUAGE="en")) == "ja"


def test_a_signed_in_buyer_reads_in_their_profile_language_until_they_switch(client: Client) -> None:
    client.force_login(UserFactory.create(primary_language_id="ja"))

    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "ja"

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "en"


def test_an_unsupported_lang_is_ignored(client: Client) -> None:
    response = client.get("/?lang=xx", HTTP_ACCEPT_LANGUAGE="ja")

    assert lang_of(response) == "ja"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_pages_name_their_canonical_url_and_each_language_s_url(client: Client) -> None:
    html = client.get("/search/?q=pc200&lang=ja").content.decode()

    assert '<link rel="canonical" href="http://testserver/search/?q=pc200&amp;lang=ja">' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/search/?q=pc200">' in html
    assert '<link rel="alternate" hreflang="ja" href="http://testserver/search/?q=pc200&amp;lang=ja">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/search/?q=pc200">' in html


def test_the_sitemap_lists_the_listings_on_sale_in_each_language(client: Client) -> None:
    on_sale = MachineFactory.create()
    draft = MachineFactory.create(status=MachineStatus.DRAFT)

    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-listings.xml" in index
    listings = client.get("/sitemap-listings.xml").content.decode()

    assert f"<loc>http://testserver/machines/{on_sale.pk}/</loc>" in listings
    assert f'hreflang="ja" href="http://testserver/machines/{on_sale.pk}/?lang=ja"' in listings
    assert f"/machines/{draft.pk}/" not in listings


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_the_api(client: Client) -> None:
    text = client.get("/robots.txt").content.decode()

    assert "Disallow: /api/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
