"""Pages answer a missing, draft, foreign or sold object in the site's design, in the reader's
language, whatever DEBUG says: never a 500 or Django's debug page for a domain error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from marketplace.models import MachineStatus
from tests.factories import PASSWORD, MachineFactory, SellerFactory, model_with_specs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_a_listing_that_does_not_exist_is_a_404_page_of_the_site(
    client: Client, settings: object, debug: bool
) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]

    response = client.get("/machines/999999/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This page does not exist" in page
    assert 'class="site-header"' in page
    assert "Traceback" not in page


def test_someone_elses_draft_is_a_404_page_in_japanese(client: Client) -> None:
    draft = MachineFactory.create(model=model_with_specs(), status=MachineStatus.DRAFT, published_at=None)

    response = client.get(f"/machines/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 404
    assert "このページは存在しません" in response.content.decode()


def test_a_sold_listing_is_still_shown(client: Client) -> None:
    sold = MachineFactory.create(model=model_with_specs(), status=MachineStatus.SOLD)

    assert client.get(f"/machines/{sold.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        ("en", "You may not see this page", "Only the seller of this listing can change it."),
        ("ja", "このページを表示する権限がありません", "この出品を変更できるのは出品者だけです。"),
    ],
)
def test_editing_someone_elses_listing_is_a_403_page_in_the_reader_s_language(
    client: Client, language: str, heading: str, reason: str
) -> None:
    listing = MachineFactory.create(model=model_with_specs())
    intruder = SellerFactory.create(primary_language_id=language)  # the page speaks their language
    assert client.login(username=intruder.username, password=PASSWORD)

    response = client.get(f"/sell/{listing.pk}/edit/")

    assert response.status_code == 403
    page = response.content.decode()
    assert heading in page
    assert reason in page


def test_an_auction_that_does_not_exist_is_a_404_page(client: Client) -> None:
    response = client.get("/auctions/999999/")

    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_too_many_query_parameters_are_a_400_page_and_a_json_400_whatever_debug_says(
    client: Client, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    query = "&".join(f"a{number}=1" for number in range(300))

    page = client.get(f"/search/?{query}")
    api = client.get(f"/api/v1/search/?{query}")

    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert 'class="error-page"' in page.content.decode()
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_request"
