"""GET /api/v1/notifications/ and POST /api/v1/notifications/read/: the signed-in person's own
notifications, paged and bounded, each read in the request's language; bad input is a 400 in
the house error body and changes nothing; a visitor gets a 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from alerts.models import Notification
from alerts.selectors import unread_count
from alerts.serializers import MAX_IDS
from alerts.services import Draft, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user_id: int, count: int, kind: str = "listing_sold") -> list[int]:
    with transaction.atomic():
        return notify(
            [
                Draft(
                    user_id=user_id,
                    kind=kind,
                    dedupe_key=f"k{i}",
                    link=f"/machines/{i}/",
                    params={"title": {"en": f"M{i}", "ja": f"M{i} ja"}},
                    machine_id=i,
                )
                for i in range(count)
            ]
        )


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_person_lists_their_own_newest_first_in_their_language() -> None:
    buyer, other = UserFactory.create_batch(2)
    ids = tell(buyer.pk, 3)
    tell(other.pk, 2)
    response = api(buyer).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["results"]] == sorted(ids, reverse=True)
    newest = body["results"][0]
    assert newest["kind"] == "listing_sold"
    assert newest["sentence"] == "M2 has been sold"
    assert newest["link"] == "/machines/2/"
    assert newest["machine_id"] == 2
    assert newest["read_at"] is None
    assert newest["created_at"]

    japanese = api(buyer).get("/api/v1/notifications/?limit=1", HTTP_ACCEPT_LANGUAGE="ja")
    assert (
        japanese.json()["results"][0]["sentence"]
        == "M2 ja \u306f\u58f2\u7d04\u6e08\u307f\u306b\u306a\u308a\u307e\u3057\u305f"
    )


def test_the_unread_filter_and_marking_some_or_all_read() -> None:
    buyer, other = UserFactory.create_batch(2)
    ids = tell(buyer.pk, 4)
    theirs = tell(other.pk, 1)
    client = api(buyer)

    response = client.post("/api/v1/notifications/read/", {"ids": [ids[0], ids[1], theirs[0]]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread": 2}
    assert unread_count(other.pk) == 1

    unread = client.get("/api/v1/notifications/?unread=true").json()
    assert sorted(item["id"] for item in unread["results"]) == sorted(ids[2:])
    read = client.get("/api/v1/notifications/?unread=false").json()
    assert sorted(item["id"] for item in read["results"]) == sorted(ids[:2])

    assert client.post("/api/v1/notifications/read/", {"all": True}, format="json").json() == {
        "marked": 2,
        "unread": 0,
    }
    assert unread_count(other.pk) == 1


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({}, "ids", 422),
        ({"ids": [1], "all": True}, "ids", 422),
        ({"all": False}, "ids", 422),
        ({"ids": []}, "ids", 400),
        ({"ids": ["one"]}, "ids", 400),
        ({"ids": [True]}, "ids", 400),
        ({"ids": list(range(1, MAX_IDS + 2))}, "ids", 400),
        ({"all": "maybe"}, "all", 400),
        ({"all": 1}, "all", 400),
        ({"all": True, "every": True}, "every", 400),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(body: dict[str, Any], field: str, status: int) -> None:
    buyer = UserFactory.create()
    tell(buyer.pk, 2)
    response = api(buyer).post("/api/v1/notifications/read/", body, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"]
    assert field in error["fields"]
    assert unread_count(buyer.pk) == 2


@pytest.mark.parametrize(
    "query", ["unread=perhaps", "limit=1000", "limit=0", "offset=-1", "unread=true&unread=false"]
)
def test_bad_queries_are_a_400(query: str) -> None:
    response = api(UserFactory.create()).get(f"/api/v1/notifications/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_a_visitor_gets_a_401() -> None:
    client = APIClient()
    assert client.get("/api/v1/notifications/").status_code == 401
    response = client.post("/api/v1/notifications/read/", {"all": True}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"]
    assert not Notification.objects.exists()


def test_the_operations_are_typed_in_the_openapi_document() -> None:
    document = APIClient().get("/api/v1/schema/?format=json").json()
    listing = document["paths"]["/api/v1/notifications/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {"unread", "limit", "offset"}
    reading = document["paths"]["/api/v1/notifications/read/"]["post"]
    request = reading["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ids = document["components"]["schemas"][request]["properties"]["ids"]
    assert ids["maxItems"] == MAX_IDS
    assert ids["items"]["type"] == "integer"
    response = reading["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][response]["required"]) == {"marked", "unread"}
    output = document["components"]["schemas"]["Notification"]
    assert set(output["required"]) >= {
        "id",
        "kind",
        "sentence",
        "machine_id",
        "link",
        "created_at",
        "read_at",
    }
