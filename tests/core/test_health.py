"""GET /healthz against the real services, including one stopped and restarted mid-test."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_client
from django.test import Client

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A real redis-server of the test's own, so stopping it disturbs nothing else."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        probe = redis_client.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:  # wait for readiness by asking the server, not by sleeping a fixed time
            try:
                if probe.ping():
                    return
            except redis_client.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(settings: object, tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    settings.REDIS_URL = server.url  # type: ignore[attr-defined]
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def get_health(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_all_four_services_report_ok_with_latency(client: Client) -> None:
    # Each check's latency is measured, not made up: within the time the whole request took
    # (how fast this machine answers is for bench/, not for a test).
    started = time.perf_counter()
    status, body = get_health(client)
    elapsed_ms = (time.perf_counter() - started) * 1000

    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "search", "graph", "requests"}
    for name in ("database", "redis", "search", "graph"):
        check = body["checks"][name]
        assert check["status"] == "ok", name
        assert 0 < check["latency_ms"] <= elapsed_ms, name
    assert body["checks"]["requests"]["status"] == "ok"


def test_stopping_redis_turns_health_503_and_restarting_it_recovers(
    client: Client, own_redis: RedisServer
) -> None:
    assert get_health(client)[0] == 200

    own_redis.stop()
    status, body = get_health(client)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "down"
    assert "error" in body["checks"]["redis"]
    assert {name: check["status"] for name, check in body["checks"].items() if name != "redis"} == {
        "database": "ok",
        "search": "ok",
        "graph": "ok",
        "requests": "ok",
    }

    own_redis.start()
    status, body = get_health(client)
    assert status == 200
    assert body["checks"]["redis"]["status"] == "ok"


@pytest.mark.parametrize(
    ("setting", "value", "check"),
    [
        ("ELASTICSEARCH_URL", "http://127.0.0.1:{port}", "search"),
        ("NEO4J_URI", "bolt://127.0.0.1:{port}", "graph"),
    ],
)
def test_an_unreachable_service_is_reported_down_quickly(
    client: Client, settings: object, setting: str, value: str, check: str
) -> None:
    setattr(settings, setting, value.format(port=free_port()))

    started = time.monotonic()
    status, body = get_health(client)

    assert status == 503
    assert body["checks"][check]["status"] == "down"
    assert time.monotonic() - started < 10
