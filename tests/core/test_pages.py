"""Pages answer a missing, draft, foreign or sold object in the site's design, in the reader's
language, whatever DEBUG says: never a 500 or Django's debug page for a domain error."""

from __future__ import annotations

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


def test_editing_someone_elses_listing_is_a_403_page(client: Client) -> None:
    listing = MachineFactory.create(model=model_with_specs())
    intruder = SellerFactory.create()
    assert client.login(username=intruder.username, password=PASSWORD)

    response = client.get(f"/sell/{listing.pk}/edit/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not see this page" in page
    assert "Only the seller of this listing can change it." in page


def test_an_auction_that_does_not_exist_is_a_404_page(client: Client) -> None:
    response = client.get("/auctions/999999/")

    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
