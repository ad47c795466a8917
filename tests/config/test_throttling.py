"""The general API throttles keep serving while Redis, where their counters live, is unreachable;
the login throttle stays strict."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_unreachable(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}


def test_reads_are_served_unthrottled_while_redis_is_unreachable(redis_unreachable: None) -> None:
    anonymous = APIClient().get("/api/categories/")
    client = APIClient()
    client.force_authenticate(UserFactory())
    signed_in = client.get("/api/makers/")

    assert (anonymous.status_code, signed_in.status_code) == (200, 200)


def test_the_login_throttle_refuses_with_a_503_instead_of_failing_open(redis_unreachable: None) -> None:
    response = APIClient().post("/api/auth/token/", {"username": "someone", "password": "wrong"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
