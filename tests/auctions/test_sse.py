"""Server-sent events from a real ASGI server process: many auctions on one stream, events
from bids committed elsewhere, and Last-Event-ID resuming without loss."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

import httpx
import pytest

from auctions.services import bid_place
from bench.common import asgi_server
from tests.conftest import database_url_for_subprocesses
from tests.factories import UserFactory, eur, open_auction

pytestmark = pytest.mark.django_db(transaction=True)


def read_events(
    url: str, headers: dict[str, str], events: queue.Queue[dict[str, str]], stop: threading.Event
) -> None:
    try:
        _read_events(url, headers, events, stop)
    except httpx.HTTPError as error:  # the server going away after the test stopped reading is expected
        if not stop.is_set():
            events.put({"error": repr(error)})


def _read_events(
    url: str, headers: dict[str, str], events: queue.Queue[dict[str, str]], stop: threading.Event
) -> None:
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(30, read=30)) as response:
        events.put({"status": str(response.status_code)})
        current: dict[str, str] = {}
        for line in response.iter_lines():
            if stop.is_set():
                return
            if not line:
                if "event" in current or "retry" in current:  # `retry` comes once it listens
                    events.put(current)
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = value


def next_event(events: queue.Queue[dict[str, str]]) -> dict[str, str]:
    return events.get(timeout=15)


def test_one_stream_carries_many_auctions_and_resumes_without_loss() -> None:
    first, second = open_auction(), open_auction()
    buyers = [UserFactory.create() for _ in range(4)]
    environment = {"DATABASE_URL": database_url_for_subprocesses()}

    with asgi_server(settings="config.settings.test", extra_env=environment) as base:
        url = f"{base}/api/v1/auctions/events/?ids={first.pk},{second.pk}"
        events: queue.Queue[dict[str, str]] = queue.Queue()
        stop = threading.Event()
        reader = threading.Thread(target=read_events, args=(url, {}, events, stop), daemon=True)
        reader.start()
        assert next_event(events) == {"status": "200"}
        assert next_event(events) == {"retry": "2000"}

        bid_place(auction_id=first.pk, bidder=buyers[0], amount=eur(100_000), idempotency_key="a")
        bid_place(auction_id=second.pk, bidder=buyers[1], amount=eur(100_000), idempotency_key="b")
        live = [next_event(events), next_event(events)]
        stop.set()

        assert [e["event"] for e in live] == ["new_bid", "new_bid"]
        assert live[1]["id"] == f"{first.pk}:1,{second.pk}:1"

        # while disconnected, more bids land; the reconnect names where it stopped
        bid_place(auction_id=first.pk, bidder=buyers[2], amount=eur(110_000), idempotency_key="c")
        bid_place(auction_id=first.pk, bidder=buyers[3], amount=eur(120_000), idempotency_key="d")
        resumed: queue.Queue[dict[str, str]] = queue.Queue()
        again = threading.Event()
        threading.Thread(
            target=read_events, args=(url, {"Last-Event-ID": live[1]["id"]}, resumed, again), daemon=True
        ).start()
        assert next_event(resumed) == {"status": "200"}
        assert next_event(resumed) == {"retry": "2000"}
        missed = [next_event(resumed), next_event(resumed)]
        again.set()

    assert [e["id"] for e in missed] == [f"{first.pk}:2,{second.pk}:1", f"{first.pk}:3,{second.pk}:1"]
    prices = [json.loads(event["data"])["highest_bid"]["price"]["minor"] for event in missed]
    assert prices == [110_000, 120_000]
    assert all(json.loads(event["data"])["replayed"] is True for event in missed)


def test_bad_ids_are_a_400_and_unknown_auctions_a_404(client: Any) -> None:
    assert client.get("/api/v1/auctions/events/?ids=abc").status_code == 400
    response = client.get("/api/v1/auctions/events/?ids=999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_stream_asked_of_a_wsgi_server_is_refused_instead_of_holding_it(client: Any) -> None:
    """Under WSGI, Django would read the endless stream before sending a byte; the suite's
    live server is WSGI, and a watchlist page's stream held one of its threads for ever."""
    auction = open_auction()

    response = client.get(f"/api/v1/auctions/events/?ids={auction.pk}")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
