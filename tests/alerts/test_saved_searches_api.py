"""/api/v1/saved-searches/: typed bodies, the owner's only, refused as the search API refuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from alerts.models import SavedSearch
from marketplace.models import OutboxEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/saved-searches/"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_list_change_and_delete() -> None:
    buyer = UserFactory.create()
    client = client_for(buyer)

    created = client.post(
        URL,
        {"name": "Komatsu", "query": "year_min=2015&maker=komatsu&limit=5", "delivery": "email"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {key: body[key] for key in ("name", "query", "delivery", "paused", "search_url", "api_url")} == {
        "name": "Komatsu",
        "query": "maker=komatsu&year_min=2015",
        "delivery": "email",
        "paused": False,
        "search_url": "/search/?maker=komatsu&year_min=2015",
        "api_url": "/api/v1/search/?maker=komatsu&year_min=2015",
    }
    item = f"{URL}{body['id']}/"
    assert [row["id"] for row in client.get(URL).json()] == [body["id"]]

    changed = client.patch(
        item, {"name": "Komatsu 2015+", "paused": True, "delivery": "digest"}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["paused"], changed.json()["delivery"]) == (
        "Komatsu 2015+", True, "digest")  # fmt: skip
    assert client.get(item).json()["name"] == "Komatsu 2015+"

    assert client.delete(item).status_code == 204
    assert client.get(item).status_code == 404
    assert not SavedSearch.objects.exists()


def test_signed_out_is_401_and_another_persons_saved_search_is_404() -> None:
    owner = UserFactory.create()
    saved = client_for(owner).post(URL, {"name": "Mine", "query": "q=crane"}, format="json").json()
    item = f"{URL}{saved['id']}/"

    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {"name": "x", "query": ""}, format="json").json()["error"]["code"] == (
        "not_authenticated"
    )
    stranger = client_for(UserFactory.create())
    for response in (
        stranger.get(item),
        stranger.patch(item, {"name": "Theirs"}, format="json"),
        stranger.delete(item),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.get(URL).json() == []
    assert SavedSearch.objects.get().name == "Mine"


@pytest.mark.parametrize(
    "query",
    [
        "year_min=abc",
        "year_min=1800&maker=not%20a%20slug",
        "spec.no_such_spec.min=3&spec.other.max=x",
        "price_min=10.123&currency=EUR",
        "sort=cheapest",
        "offset=9990&limit=50",
    ],
)
def test_a_search_the_search_api_refuses_is_refused_with_its_body(query: str) -> None:
    buyer = UserFactory.create()

    searched = APIClient().get(f"/api/v1/search/?{query}")
    saved = client_for(buyer).post(URL, {"name": "Bad", "query": query}, format="json")

    assert searched.status_code in (400, 422)
    assert (saved.status_code, saved.json()) == (searched.status_code, searched.json())
    assert not SavedSearch.objects.exists()
    assert not OutboxEvent.objects.filter(entity="saved_search").exists()


def test_bad_bodies_are_refused_with_the_field_named() -> None:
    client = client_for(UserFactory.create())
    cases = [
        ({"name": "x"}, "query"),
        ({"name": "x", "query": "", "delivery": "pigeon"}, "delivery"),
        ({"name": "x" * 121, "query": ""}, "name"),
        ({"name": "x", "query": "", "colour": "red"}, "colour"),
        ({"name": 5, "query": ""}, "name"),
    ]
    for body, field in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], response.json()
    saved = client.post(URL, {"name": "ok", "query": ""}, format="json").json()
    response = client.patch(f"{URL}{saved['id']}/", {"paused": "yes"}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["paused"])
    assert SavedSearch.objects.get().paused is False


@override_settings(ALERTS_SAVED_SEARCHES_PER_USER=1)
def test_past_the_limit_is_a_409() -> None:
    client = client_for(UserFactory.create())
    assert client.post(URL, {"name": "one", "query": ""}, format="json").status_code == 201

    response = client.post(URL, {"name": "two", "query": "q=x"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "saved_search_limit"
    assert SavedSearch.objects.count() == 1
