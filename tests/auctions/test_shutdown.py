"""SIGTERM to a real server process: it stops accepting connections, lets in-flight bids (over
the socket and over HTTP) finish, tells its sockets to reconnect (`reconnect`, close 1012)
and exits cleanly."""

from __future__ import annotations

import asyncio
import json
import signal

import httpx
import psycopg
import pytest
import websockets
from django.conf import settings

from auctions.models import Bid
from tests.auctions.cluster import ORIGIN, Node, process_environment, token_for, until
from tests.conftest import database_url_for_subprocesses
from tests.factories import UserFactory, eur, open_auction

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_for_locks(database: psycopg.Connection) -> int:
    row = database.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    ).fetchone()
    return int(row[0]) if row else 0


def test_sigterm_finishes_in_flight_bids_then_asks_sockets_to_reconnect() -> None:
    auction = open_auction()
    alice, bob = UserFactory.create(username="alice"), UserFactory.create(username="bob")
    alice_token, bob_token = token_for(alice), token_for(bob)
    node = Node(process_environment(settings.REDIS_URL)).start()
    lock_holder = psycopg.connect(database_url_for_subprocesses())
    observer = psycopg.connect(database_url_for_subprocesses(), autocommit=True)
    try:

        async def scenario() -> dict[str, object]:
            url = f"{node.ws}/ws/auctions/{auction.pk}/?token={alice_token}"
            async with (
                websockets.connect(url, origin=ORIGIN) as socket,
                httpx.AsyncClient(timeout=60) as client,
            ):
                assert json.loads(await socket.recv())["event"] == "snapshot"
                # Hold the auction's row lock so both bids are provably in flight at SIGTERM.
                lock_holder.execute("SELECT 1 FROM auctions_auction WHERE id = %s FOR UPDATE", [auction.pk])
                await socket.send(
                    json.dumps({"action": "bid", "amount": eur(100_000).to_request(), "key": "socket-bid"})
                )
                await until(
                    lambda: waiting_for_locks(observer) == 1, timeout=20, what="the socket's bid to wait"
                )
                http_bid = asyncio.ensure_future(
                    client.post(
                        f"{node.http}/api/v1/auctions/{auction.pk}/bids/",
                        json={"amount": eur(110_000).to_request()},
                        headers={"Authorization": f"Token {bob_token}", "Idempotency-Key": "http-bid"},
                    )
                )
                # the REST bid queues in the process behind the socket's batch (one row lock
                # and commit per batch): it is in flight once the server counts the request
                started = asyncio.get_running_loop().time()
                while True:
                    health = (await client.get(f"{node.http}/healthz")).json()
                    if (
                        health["checks"]["requests"]["pools"]["requests"]["in_flight"] >= 2
                    ):  # it and this check
                        break
                    assert asyncio.get_running_loop().time() - started < 20, "the REST bid never arrived"

                node.terminate()

                async def refused() -> bool:
                    try:
                        async with websockets.connect(url, origin=ORIGIN, open_timeout=2):
                            return False
                    except (OSError, websockets.WebSocketException, TimeoutError):
                        return True

                deadline = asyncio.get_running_loop().time() + 20
                while not await refused():  # the listening socket closes first
                    assert asyncio.get_running_loop().time() < deadline, "the node kept accepting"
                lock_holder.rollback()  # release: the in-flight bids may now complete

                messages = []
                try:
                    async for raw in socket:
                        messages.append(json.loads(raw))
                except websockets.ConnectionClosed:
                    pass
                response = await http_bid
                return {
                    "messages": messages,
                    "close": socket.close_code,
                    "http": (response.status_code, response.json()["replayed"]),
                }

        outcome = asyncio.run(scenario())
        exit_code = node.wait(timeout=60)
    finally:
        lock_holder.close()
        observer.close()
        node.stop()

    events = [m["event"] for m in outcome["messages"] if m["event"] != "presence"]  # type: ignore[attr-defined]
    assert events[0] == "bid_accepted"
    assert events[-1] == "reconnect"
    assert set(events[1:-1]) <= {"new_bid"}
    reconnect = outcome["messages"][-1]["payload"]  # type: ignore[index]
    assert reconnect["reason"] == "server_restart"
    assert outcome["close"] == 1012
    assert outcome["http"] == (201, False)
    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert sorted(Bid.objects.filter(auction=auction).values_list("bidder__username", flat=True)) == [
        "alice",
        "bob",
    ]
    # the seq to resume from is the last one this socket was sent
    sent = [m["payload"]["seq"] for m in outcome["messages"] if m["event"] == "new_bid"]  # type: ignore[attr-defined]
    assert reconnect["seq"] == max(sent, default=0)
