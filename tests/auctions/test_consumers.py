"""The auction WebSocket through the real ASGI application (origin check, token auth), with live
events through the real Redis (the process's hub, or the channels-redis layer)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from auctions.models import Bid
from auctions.services import auction_close, bid_place
from config.asgi import application
from tests.factories import UserFactory, eur, open_auction

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://localhost")]


def socket(
    auction_id: int, user: Any = None, query: str = "", headers: list[tuple[bytes, bytes]] | None = None
) -> WebsocketCommunicator:
    params = [query] if query else []
    if user is not None:
        params.append(f"token={Token.objects.get_or_create(user=user)[0].key}")
    path = f"/ws/auctions/{auction_id}/" + ("?" + "&".join(params) if params else "")
    return WebsocketCommunicator(application, path, headers=ORIGIN if headers is None else headers)


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """The next message of the auction's stream and replies (presence counts, tested on their
    own, interleave with them as watchers come and go)."""
    while True:
        message = json.loads(await communicator.receive_from(timeout=5))
        if message["event"] != "presence":
            return message


async def nothing_but_presence(communicator: WebsocketCommunicator) -> bool:
    """Whether the socket has nothing more to say, up to now: a probe it answers in order (a
    malformed message, answered with an error) marks the end of what it had sent before,
    instead of a stretch of silence taken to mean nothing more is coming."""
    await communicator.send_to(text_data="probe")
    while True:
        message = json.loads(await communicator.receive_from(timeout=5))
        if message["event"] == "error" and message["payload"]["code"] == "malformed":
            return True
        if message["event"] != "presence":
            return False


async def resume(returning: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    """Connect a returning client: the `count` messages it is sent, and nothing after them."""
    await returning.connect()
    messages = [await receive(returning) for _ in range(count)]
    assert await nothing_but_presence(returning)
    await returning.disconnect()
    return messages


@pytest.mark.parametrize("fanout", ["hub", "channel_layer"])
def test_a_bid_over_one_socket_reaches_every_watcher(settings: Any, fanout: str) -> None:
    settings.AUCTION_FANOUT = fanout  # the hub, and the channels-redis groups of the baseline
    auction = open_auction()
    alice, bob = UserFactory.create(username="alice"), UserFactory.create(username="bob")
    alice_socket, bob_socket = socket(auction.pk, alice), socket(auction.pk, bob)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        assert (await alice_socket.connect())[0]
        assert (await bob_socket.connect())[0]
        seen_alice = [await receive(alice_socket)]
        seen_bob = [await receive(bob_socket)]
        await alice_socket.send_to(
            text_data=json.dumps({"action": "bid", "amount": eur(100_000).to_request(), "key": "a-1"})
        )
        seen_alice += [await receive(alice_socket), await receive(alice_socket)]
        seen_bob.append(await receive(bob_socket))
        await alice_socket.disconnect()
        await bob_socket.disconnect()
        return seen_alice, seen_bob

    seen_alice, seen_bob = async_to_sync(scenario)()

    assert seen_alice[0]["event"] == "snapshot"
    assert seen_alice[0]["payload"]["seq"] == 0
    assert {m["event"] for m in seen_alice[1:]} == {"bid_accepted", "new_bid"}
    new_bid = seen_bob[1]
    assert new_bid["event"] == "new_bid"
    assert new_bid["payload"]["seq"] == 1
    # a pseudonym, never the username (issue 20)
    assert new_bid["payload"]["highest_bidder"] == {"id": alice.pk, "number": 1, "name": "Bidder 1"}
    assert new_bid["payload"]["highest_bid"]["price"] == {
        "amount": "1000.00",
        "currency": "EUR",
        "minor": 100_000,
    }


def test_malformed_and_refused_messages_get_an_error_and_the_socket_stays_open() -> None:
    auction = open_auction()
    anonymous = socket(auction.pk)

    async def scenario() -> list[dict[str, Any]]:
        await anonymous.connect()
        replies = [await receive(anonymous)]
        await anonymous.send_to(text_data="{not json")
        replies.append(await receive(anonymous))
        await anonymous.send_to(
            text_data=json.dumps({"action": "bid", "amount": eur(100_000).to_request(), "key": "x"})
        )
        replies.append(await receive(anonymous))
        await anonymous.send_to(text_data=json.dumps({"action": "bid", "amount": eur(100_000).to_request()}))
        replies.append(await receive(anonymous))
        await anonymous.disconnect()
        return replies

    replies = async_to_sync(scenario)()

    assert [r["event"] for r in replies] == ["snapshot", "error", "error", "error"]
    assert [r["payload"]["code"] for r in replies[1:]] == [
        "malformed",
        "not_allowed",
        "idempotency_key_required",
    ]


def test_the_session_cookie_authenticates_a_socket_and_a_forged_one_does_not() -> None:
    auction = open_auction()
    carol = UserFactory.create(username="carol")
    browser = Client()
    browser.force_login(carol)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def with_cookie(value: str) -> WebsocketCommunicator:
        cookie = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())
        return socket(auction.pk, headers=[*ORIGIN, cookie])

    async def bid_over(communicator: WebsocketCommunicator, key: str) -> dict[str, Any]:
        assert (await communicator.connect())[0]
        assert (await receive(communicator))["event"] == "snapshot"
        await communicator.send_to(
            text_data=json.dumps({"action": "bid", "amount": eur(100_000).to_request(), "key": key})
        )
        reply = await receive(communicator)
        await communicator.disconnect()
        return reply

    forged = async_to_sync(bid_over)(with_cookie(session[::-1]), "forged")
    genuine = async_to_sync(bid_over)(with_cookie(session), "genuine")

    assert forged["event"] == "error"
    assert forged["payload"]["code"] == "not_allowed"
    assert genuine["event"] == "bid_accepted"
    assert list(Bid.objects.filter(auction=auction).values_list("bidder__username", flat=True)) == ["carol"]


def test_a_reconnecting_client_receives_what_it_missed_in_order() -> None:
    auction = open_auction()
    for step, bidder in enumerate([UserFactory.create(), UserFactory.create(), UserFactory.create()]):
        bid_place(
            auction_id=auction.pk,
            bidder=bidder,
            amount=eur(100_000 + step * 10_000),
            idempotency_key=f"k{step}",
        )
    returning = socket(auction.pk, query="seq=1")

    snapshot, second, third = async_to_sync(resume)(returning, 3)

    assert snapshot["payload"]["seq"] == 3
    assert [second["payload"]["seq"], third["payload"]["seq"]] == [2, 3]
    assert [
        second["payload"]["highest_bid"]["price"]["minor"],
        third["payload"]["highest_bid"]["price"]["minor"],
    ] == [
        110_000,
        120_000,
    ]


def test_a_socket_from_a_foreign_origin_is_refused() -> None:
    auction = open_auction()
    foreign = socket(auction.pk, headers=[(b"origin", b"https://evil.example")])

    connected, _ = async_to_sync(foreign.connect)()

    assert not connected


def test_a_client_resuming_after_the_close_receives_the_missed_bids_and_the_end() -> None:
    auction = open_auction()
    winner = UserFactory.create(username="winner")
    bid_place(auction_id=auction.pk, bidder=winner, amount=eur(100_000), idempotency_key="w")
    closed = auction_close(auction_id=auction.pk, now=auction.ends_at + timedelta(seconds=1))
    assert closed is not None
    assert closed.closed_now
    returning = socket(auction.pk, query="seq=0")

    snapshot, missed_bid, ended = async_to_sync(resume)(returning, 3)

    assert snapshot["payload"]["seq"] == 2
    assert (missed_bid["event"], missed_bid["payload"]["seq"]) == ("new_bid", 1)
    assert ended["event"] == "auction_ended"
    assert ended["payload"]["seq"] == 2
    assert ended["payload"]["winner"] == {"id": winner.pk, "number": 1, "name": "Bidder 1"}
