"""The listing's watcher-count stream (marketplace/live.py): served by a real ASGI server, it
gives up its Redis subscription when the client goes away; WSGI refuses it rather than hold a
thread for ever; a listing nobody may see has none."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from bench.common import asgi_server
from core.redis import get_redis
from core.topics import PREFIX
from marketplace.live import watchers_topic
from marketplace.models import MachineStatus
from tests.auctions.test_live_page import server_environment
from tests.factories import MachineFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_stream_gives_up_its_subscription_when_the_client_leaves() -> None:
    machine = MachineFactory.create()
    channel = PREFIX + watchers_topic(machine.pk)

    def subscribers() -> int:
        return int(dict(get_redis().pubsub_numsub(channel))[channel.encode()])

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        before = subscribers()  # pub/sub channels are Redis-wide, whatever the database number
        url = f"{base}/machines/{machine.pk}/watchers/stream/"
        with httpx.stream("GET", url, timeout=httpx.Timeout(15)) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            assert next(lines) == "retry: 2000"
            assert [next(lines), next(lines), next(lines)] == ["", "event: watchers", 'data: {"count": 0}']
            assert subscribers() == before + 1
        deadline = time.monotonic() + 15
        while subscribers() > before and time.monotonic() < deadline:
            time.sleep(0.05)  # the server sees the client leave on its own time
        assert subscribers() == before


def test_unknown_and_draft_listings_are_a_404_and_wsgi_refuses_the_stream(client: Any) -> None:
    draft = MachineFactory.create(status=MachineStatus.DRAFT)
    published = MachineFactory.create()

    assert client.get("/machines/999999999/watchers/stream/").status_code == 404
    assert client.get(f"/machines/{draft.pk}/watchers/stream/").status_code == 404
    response = client.get(f"/machines/{published.pk}/watchers/stream/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
