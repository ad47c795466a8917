"""The server errors an independent fuzzer and people found (issue 17), each now a clear 4xx
that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from auctions.models import Auction
from marketplace.models import Machine, User
from tests.factories import PASSWORD, MachineFactory, SellerFactory, UserFactory, model_with_specs

pytestmark = pytest.mark.django_db


def auth(user: Any) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def listing_body(model_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "model": model_id,
        "year": 2016,
        "country": "JP",
        "price": {"amount": "8800000", "currency": "JPY"},
        "title": {"en": "Komatsu PC200-8"},
    }
    return {**body, **overrides}


def auction_body(machine_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "machine": machine_id,
        "kind": "soft_close",
        "starts_at": "2026-12-06T10:00:00Z",
        "ends_at": "2099-12-07T10:00:00Z",
        "starting_price": {"amount": "100000", "currency": "JPY"},
    }
    return {**body, **overrides}


def assert_refused(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    if field is not None:
        assert field in json.dumps(error["fields"]), error


@pytest.mark.parametrize("currency", [["JPY"], {"code": "JPY"}, 392])
def test_a_price_currency_that_is_not_a_string(client: Client, currency: Any) -> None:
    seller = SellerFactory.create()
    model = model_with_specs()
    listing = MachineFactory.create(seller=seller, model=model)

    created = client.post("/api/v1/machines/", listing_body(model.pk, price={"amount": "1", "currency": currency}),
                          content_type="application/json", **auth(seller))  # fmt: skip
    patched = client.patch(f"/api/v1/machines/{listing.pk}/", {"price": {"amount": "1", "currency": currency}},
                           content_type="application/json", **auth(seller))  # fmt: skip

    assert_refused(created, 400, "currency")
    assert_refused(patched, 400, "currency")
    assert Machine.objects.count() == 1
    listing.refresh_from_db()
    assert (listing.price_amount, listing.price_currency_id) == (8_800_000, "JPY")


@pytest.mark.parametrize(
    "starting_price",
    [{"amount": "100000", "currency": "XXX"}, {"amount": "100000", "currency": ""}, {"amount": "100000"}],
)
def test_an_auction_whose_starting_price_has_no_known_currency(client: Client, starting_price: Any) -> None:
    listing = MachineFactory.create(model=model_with_specs())

    response = client.post("/api/v1/auctions/", auction_body(listing.pk, starting_price=starting_price),
                           content_type="application/json", **auth(listing.seller))  # fmt: skip

    assert_refused(response, 400, "currency")
    assert Auction.objects.count() == 0


def test_registering_with_an_empty_body(client: Client) -> None:
    response = client.post("/api/v1/auth/register/", {}, content_type="application/json")

    assert_refused(response, 400, "username")
    assert User.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_token_asked_for_with_a_form(client: Client, content_type: str) -> None:
    user = UserFactory.create()
    data = {"username": user.username, "password": PASSWORD}

    response = (
        client.post("/api/v1/auth/token/", data)  # multipart is the test client's default
        if content_type == "multipart/form-data"
        else client.post("/api/v1/auth/token/", "username=a&password=b", content_type=content_type)
    )

    assert_refused(response, 415)
    assert not Token.objects.filter(user=user).exists()


def test_a_token_asked_for_with_a_list_for_a_password(client: Client) -> None:
    user = UserFactory.create()

    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": [PASSWORD]},
                           content_type="application/json")  # fmt: skip

    assert_refused(response, 400, "password")


@pytest.mark.parametrize(
    ("query", "field"),
    [("hours_max=2147483648", "hours_max"), ("price_min=10000000000000000000", "price_min")],
)
def test_search_numbers_past_what_the_engine_or_a_decimal_takes(
    client: Client, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/search/?{query}")

    assert_refused(response, 400, field)


@pytest.mark.parametrize("path", ["/api/v1/machines/", "/api/v1/auth/register/", "/api/v1/watchlist/"])
def test_json_nested_ten_thousand_levels_deep(client: Client, path: str) -> None:
    seller = SellerFactory.create()

    response = client.post(path, "[" * 10_000 + "]" * 10_000, content_type="application/json", **auth(seller))

    assert_refused(response, 400)
    assert response.json()["error"]["code"] == "parse_error"
    assert Machine.objects.count() == 0
