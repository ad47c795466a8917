"""Bids over REST with a token, served on the event loop beside Django (auctions/fastbids.py),
against a real server process: the same answers as the documented operation, every refusal in
the error body, and the bid placed once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from auctions.models import Bid
from tests.auctions.cluster import Node, process_environment, token_for
from tests.factories import UserFactory, eur, open_auction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def node() -> Iterator[Node]:
    server = Node(process_environment()).start()
    yield server
    server.stop()


def bid(
    node: Node, auction_id: int, token: str, body: Any, key: str | None = "k-1", path: str = "/api/v1"
) -> httpx.Response:
    headers = {"Authorization": f"Token {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx.post(
        f"{node.http}{path}/auctions/{auction_id}/bids/", json=body, headers=headers, timeout=10
    )


def test_a_bid_is_placed_once_and_its_retry_gets_the_same_answer(node: Node) -> None:
    auction = open_auction()
    token = token_for(UserFactory.create(username="fast-bidder"))

    first = bid(node, auction.pk, token, {"amount": eur(100_000).to_request()})
    retry = bid(node, auction.pk, token, {"amount": eur(100_000).to_request()})

    assert first.status_code == 201, first.text
    assert first.headers["content-type"] == "application/json"
    body = first.json()
    assert body["bids"] == [
        {
            "seq": 1,
            "price": {"amount": "1000.00", "currency": "EUR", "minor": 100_000},
            "bidder": body["bids"][0]["bidder"],
            "automatic": False,
        }
    ]
    assert body["replayed"] is False
    assert body["auction"]["current_price"]["minor"] == 100_000
    assert retry.status_code == 200
    assert retry.json()["replayed"] is True
    assert retry.json()["bids"] == body["bids"]
    assert Bid.objects.filter(auction=auction).count() == 1


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("bad token", 401, "authentication_failed"),
        ("no key", 400, "idempotency_key_required"),
        ("form body", 415, "unsupported_media_type"),
        ("deep JSON", 400, "parse_error"),
        ("NaN", 400, "parse_error"),
        ("a float amount", 400, "validation_error"),
        ("too low", 422, "bid_too_low"),
        ("another currency", 422, "currency_mismatch"),
        ("the seller", 403, "not_allowed"),
        ("no such auction", 404, "not_found"),
    ],
)
def test_a_refused_bid_answers_the_error_body_and_places_nothing(
    node: Node, case: str, status: int, code: str
) -> None:
    auction = open_auction()
    token = token_for(UserFactory.create())
    url = f"{node.http}/api/v1/auctions/{auction.pk}/bids/"
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": "k"}
    good = {"amount": eur(100_000).to_request()}
    if case == "bad token":
        response = bid(node, auction.pk, "not-a-token", good)
    elif case == "no key":
        response = bid(node, auction.pk, token, good, key=None)
    elif case == "form body":
        response = httpx.post(url, data={"amount": "1000.00"}, headers=headers, timeout=10)
    elif case == "deep JSON":
        response = httpx.post(
            url,
            content=b"[" * 5000 + b"]" * 5000,
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
    elif case == "NaN":
        response = httpx.post(
            url,
            content=b'{"amount": NaN}',
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
    elif case == "a float amount":
        response = bid(node, auction.pk, token, {"amount": 1000.0})
    elif case == "too low":
        response = bid(node, auction.pk, token, {"amount": eur(1).to_request()})
    elif case == "another currency":
        response = bid(node, auction.pk, token, {"amount": {"amount": "100000", "currency": "JPY"}})
    elif case == "the seller":
        response = bid(node, auction.pk, token_for(auction.seller), good)
    else:
        response = bid(node, 999_999, token, good)

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"] == "Token"
    assert Bid.objects.count() == 0


def test_the_unversioned_path_answers_too_marked_deprecated(node: Node) -> None:
    auction = open_auction()

    response = bid(
        node, auction.pk, token_for(UserFactory.create()), {"amount": eur(100_000).to_request()}, path="/api"
    )

    assert response.status_code == 201
    assert response.headers["link"] == f'</api/v1/auctions/{auction.pk}/bids/>; rel="successor-version"'
    assert response.headers["deprecation"].startswith("@")
