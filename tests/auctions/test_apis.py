"""The auctions REST API over the real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from auctions.models import Bid
from tests.factories import MachineFactory, UserFactory, model_with_specs

pytestmark = pytest.mark.django_db(transaction=True)  # bids are placed on a thread of their own


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def auction() -> dict[str, Any]:
    machine = MachineFactory.create(model=model_with_specs())
    now = timezone.now()
    response = client_for(machine.seller).post(
        "/api/v1/auctions/",
        {
            "machine": machine.pk,
            "kind": "soft_close",
            "starts_at": (now - timedelta(seconds=5)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "extension_seconds": 120,
            "starting_price": {"amount": "500000", "currency": "JPY"},
            "reserve_price": {"amount": "800000", "currency": "JPY"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return {**response.json(), "seller": machine.seller}


def test_an_auction_is_created_and_read(auction: dict[str, Any]) -> None:
    assert auction["status"] == "open"
    assert auction["starting_price"] == {"currency": "JPY", "amount": "500000", "minor": 500_000}
    assert auction["has_reserve"] is True
    listed = APIClient().get("/api/v1/auctions/").json()["results"]
    assert [a["id"] for a in listed] == [auction["id"]]
    assert APIClient().get(f"/api/v1/auctions/{auction['id']}/").json()["seq"] == 0


def test_a_bid_with_a_key_is_accepted_once(auction: dict[str, Any]) -> None:
    buyer = client_for(UserFactory.create())
    url = f"/api/v1/auctions/{auction['id']}/bids/"

    first = buyer.post(
        url, {"amount": {"amount": "500000", "currency": "JPY"}}, format="json", HTTP_IDEMPOTENCY_KEY="bid-1"
    )
    retry = buyer.post(
        url, {"amount": {"amount": "500000", "currency": "JPY"}}, format="json", HTTP_IDEMPOTENCY_KEY="bid-1"
    )

    assert first.status_code == 201
    assert first.json()["bids"][0]["seq"] == 1
    assert first.json()["auction"]["current_price"] == {
        "amount": "500000",
        "currency": "JPY",
        "minor": 500_000,
    }
    assert retry.status_code == 200
    assert retry.json()["replayed"] is True
    assert retry.json()["bids"] == first.json()["bids"]
    assert Bid.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "payload", "headers", "status", "code"),
    [
        ("buyer", {"amount": {"amount": "500000", "currency": "JPY"}}, {}, 400, "idempotency_key_required"),
        (
            "buyer",
            {"amount": {"amount": "500000", "currency": "JPY"}},
            {"HTTP_IDEMPOTENCY_KEY": "k" * 201},
            400,
            "idempotency_key_required",
        ),
        (
            "buyer",
            {"amount": {"amount": "1", "currency": "JPY"}},
            {"HTTP_IDEMPOTENCY_KEY": "k"},
            422,
            "bid_too_low",
        ),
        (
            "buyer",
            {"amount": {"amount": "600000.00", "currency": "EUR"}},
            {"HTTP_IDEMPOTENCY_KEY": "k"},
            422,
            "currency_mismatch",
        ),
        (
            "buyer",
            {"amount": {"amount": "lots", "currency": "JPY"}},
            {"HTTP_IDEMPOTENCY_KEY": "k"},
            400,
            "validation_error",
        ),
        ("buyer", {"amount": 500_000}, {"HTTP_IDEMPOTENCY_KEY": "k"}, 400, "validation_error"),
        (
            "seller",
            {"amount": {"amount": "600000", "currency": "JPY"}},
            {"HTTP_IDEMPOTENCY_KEY": "k"},
            403,
            "not_allowed",
        ),
        (
            "anonymous",
            {"amount": {"amount": "600000", "currency": "JPY"}},
            {"HTTP_IDEMPOTENCY_KEY": "k"},
            401,
            "not_authenticated",
        ),
    ],
)
def test_refused_bids_answer_with_a_code_and_change_nothing(
    auction: dict[str, Any],
    who: str,
    payload: dict[str, Any],
    headers: dict[str, Any],
    status: int,
    code: str,
) -> None:
    client = {
        "buyer": client_for(UserFactory.create()),
        "seller": client_for(auction["seller"]),
        "anonymous": APIClient(),
    }[who]

    response = client.post(f"/api/v1/auctions/{auction['id']}/bids/", payload, format="json", **headers)

    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert Bid.objects.count() == 0
    assert APIClient().get(f"/api/v1/auctions/{auction['id']}/").json()["seq"] == 0


def test_bidding_on_an_unknown_auction_is_404() -> None:
    response = client_for(UserFactory.create()).post(
        "/api/v1/auctions/999999/bids/",
        {"amount": {"amount": "1", "currency": "JPY"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 404
