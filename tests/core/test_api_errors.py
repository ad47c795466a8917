"""Under /api/v1/ every error is the JSON error body, whatever DEBUG says: paths no route matches,
bugs, bodies Django refuses."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_json_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/json"  # type: ignore[index]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    assert error["message"]
    assert error["fields"] == {}


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_is_a_json_404(client: Client, settings: object, debug: bool) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]

    response = client.get("/api/v1/no-such-thing/")

    assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.urls("tests.core.broken_urls")
def test_a_bug_in_an_api_view_is_a_json_500_without_a_traceback(settings: object, debug: bool) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/broken/")

    assert_json_error(response, 500, "internal_error")
    assert b"ZeroDivisionError" not in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("debug", [True, False])
def test_a_method_an_api_path_does_not_take_is_a_json_405_with_allow(
    client: Client, settings: object, debug: bool
) -> None:
    settings.DEBUG = debug  # type: ignore[attr-defined]

    response = client.delete("/api/v1/search/")

    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_page_that_does_not_exist_is_still_an_html_page(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_too_many_query_parameters_are_a_json_400(client: Client) -> None:
    query = "&".join(f"category=c{number}" for number in range(300))

    response = client.get(f"/api/v1/search/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] in {"bad_request", "validation_error"}
