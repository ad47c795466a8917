"""List pages are bounded: a bad or huge `limit` or `offset` is a 400, never clamped or ignored."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MachineFactory, model_with_specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_listings() -> None:
    model = model_with_specs()
    for _ in range(3):
        MachineFactory.create(model=model)


@pytest.mark.usefixtures("three_listings")
@pytest.mark.parametrize(
    "query",
    [
        "limit=99999",
        "limit=79354764189",
        "limit=101",
        "limit=0",
        "limit=-1",
        "limit=ten",
        "limit=",
        "offset=-1",
        "offset=10000000",
        "offset=1.5",
        "limit=2&limit=3",
    ],
)
def test_a_bad_page_is_refused_with_the_field_named(client: Client, query: str) -> None:
    response = client.get(f"/api/v1/machines/?{query}")

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {query.split("=")[0]}


@pytest.mark.usefixtures("three_listings")
def test_pages_within_the_bounds_are_served(client: Client) -> None:
    first = client.get("/api/v1/machines/?limit=2").json()
    second = client.get("/api/v1/machines/?limit=100&offset=2").json()

    assert first["count"] == second["count"] == 3
    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert {m["id"] for m in first["results"]}.isdisjoint({m["id"] for m in second["results"]})
