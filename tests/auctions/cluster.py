"""Several real server processes for the multi-process auction tests, and buyers talking to them.

Each node is started the documented way (`SERVE_ONLY=1 PORT=… ops/serve.sh`), against the test
database and a Redis the test names; the closer runs as its own process (`manage.py
auction_closer`). Buyers are asyncio tasks in the test process: a `SocketBuyer` keeps one
WebSocket open, moves to the next node when its socket closes (resuming with `?seq=`), records
every event, and may bid over the socket; a `RestBuyer` bids through the REST API and retries the
same Idempotency-Key on the next node when its node is gone. Waiting is always for a condition,
with a deadline, never for a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from rest_framework.authtoken.models import Token
from websockets.typing import Origin

from auctions.models import Auction, Bid, BidRequestRecord
from auctions.rules import AcceptedBid, AuctionState, BidAccepted, BidEvent, BidRequest, place_bid
from bench.common import free_port
from tests.conftest import database_url_for_subprocesses
from tests.factories import eur

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = Origin("http://127.0.0.1")


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


async def until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def token_for(user: Any) -> str:
    return str(Token.objects.get_or_create(user=user)[0].key)


def process_environment(redis_url: str | None = None, **extra: str) -> dict[str, str]:
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_for_subprocesses(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        BID_RATE_LIMIT="100000",
        PRESENCE_HEARTBEAT="0.5",
        PRESENCE_TTL="2",
        SHUTDOWN_DRAIN_SECONDS="20",
        **extra,
    )
    if redis_url is not None:
        environment["REDIS_URL"] = redis_url
    return environment


class Node:
    """One ASGI server process on its own port, started by `SERVE_ONLY=1 ops/serve.sh`."""

    def __init__(self, environment: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.environment = environment
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Node:
        environment = dict(self.environment, SERVE_ONLY="1", PORT=str(self.port), HOST="127.0.0.1")
        self.process = subprocess.Popen(["ops/serve.sh"], cwd=ROOT, env=environment)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.http}/api/v1/auctions/", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "the server process exited while starting"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def terminate(self) -> None:
        """SIGTERM: the graceful shutdown. Does not wait."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def closer(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [".venv/bin/python", "manage.py", "auction_closer", "--interval", "0.1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_closer(process: subprocess.Popen[str]) -> list[str]:
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0]
    return [line for line in output.splitlines() if line.startswith("closed auction")]


@dataclass
class SocketBuyer:
    """A buyer's WebSocket that follows the nodes: when its socket closes it reconnects to the
    next node with `?seq=<last seen>`; bids in flight are re-sent with the same key."""

    name: str
    nodes: list[Node]
    auction_id: int
    token: str | None = None
    node_index: int = 0
    seq: int | None = None
    start_seq: int | None = None
    new_bids: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    close_codes: list[int | None] = field(default_factory=list)
    connections: int = 0
    watching: int | None = None
    minimum: int = 0
    ended: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, tuple[dict[str, Any], asyncio.Future[dict[str, Any]]]] = field(default_factory=dict)
    socket: Any = None
    stopping: bool = False
    task: asyncio.Task[None] | None = None

    def start(self) -> SocketBuyer:
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    @property
    def connected(self) -> bool:
        return self.socket is not None

    async def _run(self) -> None:
        while not self.stopping:
            node = self.nodes[self.node_index % len(self.nodes)]
            query = [f"token={self.token}"] if self.token else []
            if self.seq is not None:
                query.append(f"seq={self.seq}")
            url = f"{node.ws}/ws/auctions/{self.auction_id}/" + ("?" + "&".join(query) if query else "")
            try:
                async with websockets.connect(url, origin=ORIGIN, open_timeout=10, close_timeout=5) as socket:
                    async for raw in socket:
                        await self._handle(socket, json.loads(raw))
                    self.close_codes.append(socket.close_code)
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                if isinstance(error, websockets.ConnectionClosed):
                    self.close_codes.append(error.rcvd.code if error.rcvd else None)
            self.socket = None
            if self.stopping:
                return
            self.node_index += 1
            await asyncio.sleep(0.05)  # back-off between attempts while a node is down

    async def _handle(self, socket: Any, message: dict[str, Any]) -> None:
        event, payload = message["event"], message["payload"]
        self.events.append(message)
        if event == "snapshot":
            self.connections += 1
            if self.start_seq is None:
                self.start_seq = payload["seq"]
            if self.seq is None:
                self.seq = payload["seq"]
            self.watching = payload.get("watching")
            self.socket = socket
            for request, _ in list(self.pending.values()):
                await socket.send(json.dumps(request))
        elif event == "new_bid":
            self.new_bids.append(payload["seq"])
            if "minimum_bid" in payload:
                self.minimum = max(self.minimum, payload["minimum_bid"]["minor"])
            self.seq = max(self.seq or 0, payload["seq"])
        elif event in {"auction_extended", "auction_ended"}:
            self.seq = max(self.seq or 0, payload["seq"])
            if event == "auction_ended":
                self.ended.append(payload)
        elif event == "presence":
            self.watching = payload["watching"]
        elif event in {"bid_accepted", "error"} and payload.get("key") in self.pending:
            _, future = self.pending.pop(payload["key"])
            if not future.done():
                future.set_result(message)

    async def bid(self, amount: int, max_amount: int | None = None, timeout: float = 60) -> dict[str, Any]:
        """Bid over the socket; the reply (`bid_accepted` or `error`). Survives reconnects."""
        key = uuid.uuid4().hex
        request: dict[str, Any] = {"action": "bid", "amount": eur(amount).to_request(), "key": key}
        if max_amount is not None:
            request["max_amount"] = eur(max_amount).to_request()
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[key] = (request, future)
        if self.socket is not None:
            with contextlib.suppress(websockets.ConnectionClosed):  # if so, re-sent after the reconnect
                await self.socket.send(json.dumps(request))
        return await asyncio.wait_for(future, timeout)

    async def stop(self) -> None:
        self.stopping = True
        if self.socket is not None:
            await self.socket.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 30)


@dataclass
class RestBuyer:
    """A buyer bidding through `POST /api/v1/auctions/<id>/bids/`; when its node is unreachable or
    answers 5xx it retries the same Idempotency-Key on the next node."""

    nodes: list[Node]
    auction_id: int
    token: str
    node_index: int = 0

    async def bid(
        self, client: httpx.AsyncClient, amount: int, max_amount: int | None = None, timeout: float = 60
    ) -> httpx.Response:
        key = uuid.uuid4().hex
        body: dict[str, Any] = {"amount": eur(amount).to_request()}
        if max_amount is not None:
            body["max_amount"] = eur(max_amount).to_request()
        deadline = time.monotonic() + timeout
        while True:
            node = self.nodes[self.node_index % len(self.nodes)]
            try:
                response = await client.post(
                    f"{node.http}/api/v1/auctions/{self.auction_id}/bids/",
                    json=body,
                    headers={"Authorization": f"Token {self.token}", "Idempotency-Key": key},
                )
                if response.status_code < 500:
                    return response
                # 5xx: the node could not reach a store (Redis restarting: the API's throttle
                # lives there); the bid was not taken, and the same key makes a retry safe
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no node took the bid"
            self.node_index += 1
            await asyncio.sleep(0.05)  # back-off between attempts while a node or store is down


# ------------------------------------------------------------------ invariants from PostgreSQL


def replay_serially(auction: Auction) -> AuctionState:
    """Run the accepted requests, in the order they were accepted, through the pure rules from
    the initial state, checking each against the increment table; returns the final state."""
    stored = AuctionState.from_dict(auction.state)
    state = AuctionState.initial(stored.terms)
    for record in BidRequestRecord.objects.filter(auction=auction).order_by("pk"):
        accepted = AcceptedBid.from_dict(record.accepted)
        assert accepted.amount.amount >= state.minimum_bid.amount, (
            f"{record.idempotency_key} is below the increment table"
        )
        request = BidRequest(
            idempotency_key=accepted.idempotency_key,
            bidder_id=accepted.bidder_id,
            bidder_is_seller=False,
            rate_limited=False,
            amount=accepted.amount.amount,
            currency=accepted.amount.currency,
            max_amount=None if accepted.max_amount == accepted.amount else accepted.max_amount.amount,
        )
        outcome = place_bid(state, request, accepted.placed_at)
        assert isinstance(outcome, BidAccepted), (
            f"the serial replay refused {record.idempotency_key}: {outcome}"
        )
        assert outcome.events == accepted.events
        state = outcome.state
    return state


def check_invariants(auction_id: int) -> list[int]:
    """The load-test invariants, from the database; returns the bids' seqs."""
    auction = Auction.objects.get(pk=auction_id)
    bids = list(Bid.objects.filter(auction=auction).order_by("seq"))
    amounts = [bid.amount for bid in bids]
    assert amounts == sorted(amounts), "the highest bid decreased"
    replayed = replay_serially(auction)
    visible = [event for event in replayed.events if isinstance(event, BidEvent)]
    assert [(bid.seq, str(bid.bidder_id), bid.amount, bid.automatic) for bid in bids] == [
        (event.seq, event.bidder_id, event.amount.amount, event.automatic) for event in visible
    ]
    assert [event.seq for event in replayed.events] == list(
        range(1, auction.last_seq + 1 - (auction.closed_at is not None))
    )
    stored = AuctionState.from_dict(auction.state)
    assert (replayed.price, replayed.leader_id, replayed.leader_max, replayed.ends_at) == (
        stored.price,
        stored.leader_id,
        stored.leader_max,
        stored.ends_at,
    )
    return [bid.seq for bid in bids]
