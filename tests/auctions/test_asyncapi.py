"""The AsyncAPI document describes what the sockets and streams really send: every event a
real socket and a real stream emit through an auction's life validates against its schema, and
the document's `Auction` is the OpenAPI document's."""

from __future__ import annotations

import json
import queue
import threading
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from auctions.asyncapi import SERVER_EVENTS, message_schema
from auctions.services import auction_close, bid_place
from bench.common import asgi_server
from core.draining import sockets_drain
from tests.auctions.test_consumers import socket
from tests.auctions.test_sse import next_event, read_events
from tests.conftest import database_url_for_subprocesses
from tests.factories import UserFactory, eur, open_auction

pytestmark = pytest.mark.django_db(transaction=True)


def assert_valid(message: dict[str, Any]) -> None:
    jsonschema.validate(message, message_schema(message["event"]))


def test_the_document_is_served_and_names_every_event(client: Client) -> None:
    document = client.get("/api/v1/asyncapi.json").json()

    assert document["asyncapi"] == "3.0.0"
    assert set(document["components"]["messages"]) == {*SERVER_EVENTS, "place_bid"}
    assert document["channels"]["auctionSocket"]["address"] == "/ws/auctions/{auction_id}/"


def test_its_auction_is_the_openapi_documents_auction(client: Client) -> None:
    asyncapi = client.get("/api/v1/asyncapi.json").json()["components"]["schemas"]["Auction"]
    openapi = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"][
        "Auction"
    ]

    assert set(asyncapi["properties"]) == set(openapi["properties"])
    assert set(asyncapi["required"]) == set(openapi["required"])


def test_a_schema_refuses_what_is_not_the_contract() -> None:
    good = {"event": "presence", "payload": {"auction_id": 1, "watching": 2}}
    assert_valid(good)
    for bad in (
        {"event": "presence", "payload": {"auctionId": 1, "watching": 2}},
        {"event": "presence", "payload": {"auction_id": 1, "watching": 2, "extra": True}},
        {"event": "presence", "payload": {"auction_id": "1", "watching": 2}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            assert_valid(bad)


def test_every_event_of_an_auctions_life_on_a_socket_validates() -> None:
    # an auction ending in 30 s with a 60 s soft close: the first bid extends it
    auction = open_auction(seconds=30, extension=60)
    alice, bob = UserFactory.create(username="alice"), UserFactory.create(username="bob")
    alice_socket = socket(auction.pk, alice)

    async def live() -> list[dict[str, Any]]:
        seen = []
        assert (await alice_socket.connect())[0]
        seen.append(json.loads(await alice_socket.receive_from(timeout=5)))  # snapshot
        await alice_socket.send_to(text_data="{not json")
        await alice_socket.send_to(text_data=json.dumps({"action": "bid", "amount": "lots", "key": "k0"}))
        await alice_socket.send_to(
            text_data=json.dumps({"action": "bid", "amount": eur(1).to_request(), "key": "k1"})
        )
        bid = {
            "action": "bid",
            "amount": eur(100_000).to_request(),
            "max_amount": eur(150_000).to_request(),
            "key": "k2",
        }
        jsonschema.validate(
            bid,
            {
                **message_schema("presence")["components"]["schemas"]["PlaceBid"],
                "components": message_schema("presence")["components"],
            },
        )
        await alice_socket.send_to(text_data=json.dumps(bid))
        wanted = {"error", "bid_accepted", "new_bid", "auction_extended", "presence"}
        while wanted - {message["event"] for message in seen}:
            seen.append(json.loads(await alice_socket.receive_from(timeout=5)))
        await sockets_drain(timeout=5)  # what a stopping server does: reconnect
        while seen[-1]["event"] != "reconnect":
            seen.append(json.loads(await alice_socket.receive_from(timeout=5)))
        return seen

    seen = async_to_sync(live)()
    bid_place(auction_id=auction.pk, bidder=bob, amount=eur(160_000), idempotency_key="b")
    auction.refresh_from_db()
    auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))

    returning = socket(auction.pk, query="seq=0")

    async def resumed() -> list[dict[str, Any]]:
        assert (await returning.connect())[0]
        messages = [json.loads(await returning.receive_from(timeout=5))]
        while messages[-1]["event"] != "auction_ended":
            messages.append(json.loads(await returning.receive_from(timeout=5)))
        await returning.disconnect()
        return messages

    replayed = async_to_sync(resumed)()

    for message in [*seen, *replayed]:
        assert_valid(message)
    assert {m["event"] for m in seen} >= {
        "snapshot",
        "error",
        "bid_accepted",
        "new_bid",
        "auction_extended",
        "presence",
        "reconnect",
    }
    numbered = [m for m in replayed if m["event"] in ("new_bid", "auction_extended", "auction_ended")]
    assert [m["payload"]["seq"] for m in numbered] == list(range(1, len(numbered) + 1))
    assert {m["event"] for m in numbered} == {"new_bid", "auction_extended", "auction_ended"}
    assert all(m["payload"]["replayed"] is True for m in numbered)


def test_the_stream_sends_what_the_document_says() -> None:
    auction = open_auction(seconds=30, extension=60)
    buyer = UserFactory.create()
    environment = {"DATABASE_URL": database_url_for_subprocesses()}

    with asgi_server(settings="config.settings.test", extra_env=environment) as base:
        events: queue.Queue[dict[str, str]] = queue.Queue()
        stop = threading.Event()
        url = f"{base}/api/v1/auctions/events/?ids={auction.pk}"
        threading.Thread(target=read_events, args=(url, {}, events, stop), daemon=True).start()
        assert next_event(events) == {"status": "200"}
        assert next_event(events) == {"retry": "2000"}
        bid_place(auction_id=auction.pk, bidder=buyer, amount=eur(100_000), idempotency_key="s")
        received = [next_event(events), next_event(events)]
        stop.set()

    assert [event["event"] for event in received] == ["new_bid", "auction_extended"]
    for event in received:
        assert_valid({"event": event["event"], "payload": json.loads(event["data"])})
