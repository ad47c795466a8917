"""Version 1 lives under /api/v1/; the unversioned paths still answer, marked deprecated."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_current_path_carries_no_deprecation(client: Client) -> None:
    response = client.get("/api/v1/categories/")

    assert response.status_code == 200
    assert "Deprecation" not in response
    assert "Sunset" not in response


def test_a_legacy_path_answers_the_same_and_names_its_successor(client: Client) -> None:
    current = client.get("/api/v1/categories/")
    legacy = client.get("/api/categories/")

    assert legacy.status_code == 200
    assert legacy.json() == current.json()
    assert legacy["Deprecation"].startswith("@")
    assert legacy["Sunset"].endswith("GMT")
    assert legacy["Link"] == '</api/v1/categories/>; rel="successor-version"'


def test_a_legacy_error_is_marked_too(client: Client) -> None:
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response["Link"] == '</api/v1/no-such-thing/>; rel="successor-version"'


def test_the_openapi_document_describes_version_1_alone(client: Client) -> None:
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert paths
    assert all(path.startswith("/api/v1/") for path in paths)
