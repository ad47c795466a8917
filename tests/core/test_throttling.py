"""Throttles count in Redis: a window that holds its limit, across threads at once, and
general API throttles that keep serving while Redis is unreachable; the login throttle stays
strict."""

from __future__ import annotations

import socket
import threading
import uuid
from typing import Any, cast

import pytest
from rest_framework.test import APIClient, APIRequestFactory

from core.redis import get_redis
from core.throttling import RedisWindowThrottle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_unreachable(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": settings.REDIS_URL},
    }


def window(rate: str) -> type[RedisWindowThrottle]:
    """A throttle at `rate` on a key of its own (every instance counts in the same window)."""
    key = f"test-{uuid.uuid4().hex}"

    class Window(RedisWindowThrottle):
        def get_rate(self) -> str:
            return rate

        def get_cache_key(self, request: Any, view: Any) -> str:
            return key

    return Window


def redis_clock_ms() -> int:
    seconds, microseconds = get_redis().time()
    return int(seconds) * 1000 + int(microseconds) // 1000


def test_the_window_lets_its_limit_through_then_says_how_long_to_wait() -> None:
    throttle, request = window("3/minute"), APIRequestFactory().get("/")

    before = redis_clock_ms()
    passed = [throttle().allow_request(request, None) for _ in range(5)]
    refused = throttle()
    assert not refused.allow_request(request, None)
    after = redis_clock_ms()

    assert passed == [True, True, True, False, False]
    # The first of the three leaves the window a minute after it came (Redis's clock), so
    # the wait is a minute less what passed since: bounded by the clock read around the calls.
    assert 60 - (after - before) / 1000 <= refused.wait() <= 60
    ttl = get_redis().pttl(f"throttle:{throttle().get_cache_key(request, cast(Any, None))}")
    assert 0 < ttl <= 60_000  # the window expires with its last request


def test_concurrent_requests_never_pass_more_than_the_limit() -> None:
    throttle, request = window("25/minute"), APIRequestFactory().get("/")
    start = threading.Barrier(8)
    allowed: list[bool] = []
    lock = threading.Lock()

    def client() -> None:
        start.wait()
        for _ in range(10):
            answer = throttle().allow_request(request, None)
            with lock:
                allowed.append(answer)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 80
    assert allowed.count(True) == 25


def test_reads_are_served_unthrottled_while_redis_is_unreachable(redis_unreachable: None) -> None:
    anonymous = APIClient().get("/api/v1/categories/")
    client = APIClient()
    client.force_authenticate(UserFactory.create())
    signed_in = client.get("/api/v1/makers/")

    assert (anonymous.status_code, signed_in.status_code) == (200, 200)


def test_the_login_throttle_refuses_with_a_503_instead_of_failing_open(redis_unreachable: None) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "someone", "password": "wrong"}, format="json"
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_an_anonymous_request_is_counted_in_one_window_and_a_signed_in_one_by_its_user() -> None:
    redis = get_redis()
    user = UserFactory.create()
    # an address of its own, so that no other request's window (nor one expiring) is counted
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    windows = [f"throttle:throttle_anon_{address}", f"throttle:throttle_user_{address}",
               f"throttle:throttle_user_{user.pk}"]  # fmt: skip
    redis.delete(windows[2])  # a window an earlier test session's user of the same id left

    APIClient(REMOTE_ADDR=address).get("/api/v1/categories/")
    signed_in = APIClient(REMOTE_ADDR=address)
    signed_in.force_authenticate(user)
    signed_in.get("/api/v1/categories/")

    # the anonymous caller in the anonymous window only; the user in theirs
    assert [redis.zcard(key) for key in windows] == [1, 0, 1]
