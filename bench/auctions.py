"""Auction benchmark (issue 6), on two real server processes sharing PostgreSQL and Redis:

(a) bids accepted per second on one hot auction, REST bidders spread over both processes, with
    p50/p99 from request to reply;
(b) fan-out, with 1,000 and 5,000 WebSocket watchers spread over both processes: p50/p99 from
    a bid's request to the arrival of its `new_bid` at every watcher (the whole path); from a
    call of our broadcast (`auctions.broadcast.publish`, what a committed bid triggers) to its
    arrival; and, as the baseline, from a plain channels-redis `group_send` to the same group to
    its arrival; the ratio of the last two is printed;
(c) memory per idle connection: the servers' resident memory before and after the watchers
    connect, divided by their number.

    .venv/bin/python -m bench.auctions [--watchers 1000,5000] [--seconds 10] [--bidders 24]

Runs against `make run`'s database and Redis (config.settings.local): it creates bench users and
one auction per part on published listings of the demo catalogue. Prints what it measured."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack
from datetime import timedelta
from functools import partial
from typing import Any

from bench.common import asgi_server, machine_line, memory_kb, percentile, server_pids, setup_django, summary

SEQ = re.compile(rb'"seq":\s*(\d+)')
PING = re.compile(rb'"bench_ping",\s*"payload":\s*\{"n":\s*(\d+)')
CONNECT_CONCURRENCY = 100
SERVER_ENV = {"BID_RATE_LIMIT": "100000000", "PRESENCE_HEARTBEAT": "30"}


def setup_auction(bidders: int) -> tuple[int, list[str]]:
    """A fresh auction on a published listing, and API tokens of `bidders` buyers."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from auctions.services import auction_create
    from core.money import Money
    from marketplace.models import Machine, User

    machine = Machine.objects.filter(status="published").order_by("?").select_related("seller").first()
    assert machine is not None, "seed the catalogue first (make run)"
    now = timezone.now()
    auction = auction_create(
        seller=machine.seller, machine_id=machine.pk, kind="soft_close", starts_at=now - timedelta(seconds=1),
        ends_at=now + timedelta(hours=2), extension_seconds=60, starting_price=Money(1_000_000, "EUR"),
    )  # fmt: skip
    tokens = []
    for index in range(bidders):
        user, _ = User.objects.get_or_create(
            username=f"bench-bidder-{index}", defaults={"email": f"bench{index}@example.com"}
        )
        tokens.append(str(Token.objects.get_or_create(user=user)[0].key))
    return auction.pk, tokens


class Tickets:
    """One shared, rising sequence of amounts, each a full increment above the last: a crowd
    topping each other. A bid that reaches the auction after a higher one is refused as too low
    (and counted as such)."""

    def __init__(self) -> None:
        from auctions.rules import default_increments

        self.increments = default_increments("EUR")
        self.amount = 1_000_000

    def next(self) -> dict[str, str]:
        """The next amount, as a request sends it."""
        from core.money import Money

        amount, self.amount = self.amount, self.increments.next_amount(self.amount)
        return Money(amount, "EUR").to_request()


async def hot_auction(bases: list[str], auction_id: int, tokens: list[str], seconds: float) -> dict[str, Any]:
    """Bidders on `POST /api/v1/auctions/<id>/bids/`, one keep-alive HTTP connection each (a
    lean client: httpx's own CPU capped the rate near 100 requests a second)."""
    from bench.httpclient import Connection

    tickets = Tickets()
    latencies: list[float] = []
    outcomes: dict[str, int] = defaultdict(int)
    connections = [await Connection(bases[index % len(bases)]).open() for index in range(len(tokens))]
    deadline = time.perf_counter() + seconds

    async def bidder(index: int) -> None:
        headers = {"Authorization": f"Token {tokens[index]}"}
        while time.perf_counter() < deadline:
            headers["Idempotency-Key"] = uuid.uuid4().hex
            started = time.perf_counter()
            status, body = await connections[index].request(
                "POST", f"/api/v1/auctions/{auction_id}/bids/", {"amount": tickets.next()}, headers
            )
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes["accepted" if status == 201 else body["error"]["code"]] += 1  # type: ignore[index,call-overload]

    started = time.perf_counter()
    try:
        await asyncio.gather(*(bidder(index) for index in range(len(tokens))))
    finally:
        elapsed = time.perf_counter() - started
        for connection in connections:
            await connection.close()
    return {"elapsed": elapsed, "latencies": latencies, "outcomes": dict(outcomes)}


def keep_replies(inbox: asyncio.Queue[bytes], raw: bytes) -> None:
    """A bidder's socket keeps its replies (they name the bid's key), not the auction's events."""
    if b'"key"' in raw:
        inbox.put_nowait(raw)


async def hot_auction_sockets(
    bases: list[str], auction_id: int, tokens: list[str], seconds: float
) -> dict[str, Any]:
    """Bidders on sockets (as the live page bids), one socket each."""
    from bench.wsclient import connect

    tickets = Tickets()
    latencies: list[float] = []
    outcomes: dict[str, int] = defaultdict(int)
    sockets = []
    replies: list[asyncio.Queue[bytes]] = []
    for index, token in enumerate(tokens):
        inbox: asyncio.Queue[bytes] = asyncio.Queue()
        url = (
            bases[index % len(bases)].replace("http://", "ws://")
            + f"/ws/auctions/{auction_id}/?token={token}"
        )
        socket, _ = await connect(
            url,
            "http://127.0.0.1",
            partial(keep_replies, inbox),
        )
        sockets.append(socket)
        replies.append(inbox)
    deadline = time.perf_counter() + seconds

    async def bidder(index: int) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            sockets[index].send_text(
                json.dumps({"action": "bid", "amount": tickets.next(), "key": uuid.uuid4().hex})
            )
            reply = json.loads(await asyncio.wait_for(replies[index].get(), 30))
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes["accepted" if reply["event"] == "bid_accepted" else reply["payload"]["code"]] += 1

    started = time.perf_counter()
    await asyncio.gather(*(bidder(index) for index in range(len(tokens))))
    elapsed = time.perf_counter() - started
    for socket in sockets:
        socket.close()
    return {"elapsed": elapsed, "latencies": latencies, "outcomes": dict(outcomes)}


class Watchers:
    """`count` WebSocket watchers of one auction over `bases`; each records when every `new_bid`
    (by seq) and every `bench_ping` (by its number) arrives. Runs inside a watcher process."""

    def __init__(self, bases: list[str], auction_id: int, count: int, offset: int) -> None:
        self.urls = [base.replace("http://", "ws://") + f"/ws/auctions/{auction_id}/" for base in bases]
        self.count = count
        self.offset = offset  # spreads this process's sockets over the servers like the others'
        self.sockets: list[Any] = []
        self.arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)

    async def open(self) -> None:
        from bench.wsclient import connect

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(index: int) -> None:
            async with gate:
                socket, _snapshot = await asyncio.wait_for(
                    connect(
                        self.urls[(self.offset + index) % len(self.urls)], "http://127.0.0.1", self.record
                    ),
                    120,
                )
                self.sockets.append(socket)

        await asyncio.gather(*(open_one(index) for index in range(self.count)))

    def record(self, raw: bytes) -> None:
        if b'"new_bid"' in raw and (match := SEQ.search(raw)):
            self.arrivals[("bid", int(match.group(1)))].append(time.perf_counter())
        elif match := PING.search(raw):
            self.arrivals[("ping", int(match.group(1)))].append(time.perf_counter())

    async def wait_for(self, key: tuple[str, int], timeout: float = 60) -> list[float]:
        deadline = time.perf_counter() + timeout
        while len(self.arrivals[key]) < self.count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{key}: {len(self.arrivals[key])}/{self.count} delivered")
            await asyncio.sleep(0.005)  # polls the arrivals recorded by the readers
        return self.arrivals[key]

    async def close(self) -> None:
        for socket in self.sockets:
            socket.close()
        await asyncio.gather(*(socket.closed for socket in self.sockets))


def watcher_process(pipe: Any, bases: list[str], auction_id: int, count: int, offset: int) -> None:
    """A client process holding `count` watchers; answers `("wait", key)` with their arrival
    times (perf_counter is the system-wide monotonic clock, comparable across processes)."""
    import uvloop

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def serve() -> None:
        watchers = Watchers(bases, auction_id, count, offset)
        await watchers.open()
        pipe.send(("opened", count))
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command[0] == "close":
                await watchers.close()
                pipe.send(("closed",))
                return
            try:
                pipe.send(("arrivals", await watchers.wait_for(command[1])))
            except TimeoutError as error:
                pipe.send(("timeout", str(error)))

    uvloop.run(serve())  # the servers' event loop too: reading 2,500 sockets costs less CPU


class WatcherCrowd:
    """`count` watchers split over `processes` client processes (one asyncio process cannot
    read 5,000 sockets' frames as fast as two servers send them)."""

    def __init__(self, bases: list[str], auction_id: int, count: int, processes: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.workers = []
        share, offset = count // processes, 0
        for index in range(processes):
            size = share + (1 if index < count % processes else 0)
            parent, child = context.Pipe()
            worker = context.Process(
                target=watcher_process, args=(child, bases, auction_id, size, offset), daemon=True
            )
            worker.start()
            self.pipes.append(parent)
            self.workers.append(worker)
            offset += size

    def opened(self) -> None:
        for pipe in self.pipes:
            reply = pipe.recv()
            assert reply[0] == "opened", reply

    def wait_for(self, key: tuple[str, int]) -> list[float]:
        for pipe in self.pipes:
            pipe.send(("wait", key))
        arrivals: list[float] = []
        for pipe in self.pipes:
            reply = pipe.recv()
            if reply[0] != "arrivals":
                raise TimeoutError(reply[1])
            arrivals.extend(reply[1])
        return arrivals

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("close",))
        for pipe, worker in zip(self.pipes, self.workers, strict=True):
            pipe.recv()
            worker.join(timeout=30)


def fan_out(
    bases: list[str],
    pids: list[int],
    count: int,
    rounds: int,
    processes: int,
    mode: str,
    verbose: bool = False,
) -> dict[str, Any]:
    """`rounds` bids over REST, each timed from its request to its `new_bid` at every watcher,
    then `rounds` broadcasts of the server's kind (`mode`) timed from the call to every arrival."""
    import httpx
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings

    from auctions.broadcast import group_name, publish

    auction_id, tokens = setup_auction(2)
    before = sum(memory_kb(pid)[0] for pid in pids)
    connect_started = time.perf_counter()
    crowd = WatcherCrowd(bases, auction_id, count, processes)
    crowd.opened()
    connect_seconds = time.perf_counter() - connect_started
    after = sum(memory_kb(pid)[0] for pid in pids)
    bids: list[float] = []
    broadcasts: list[float] = []
    settings.AUCTION_FANOUT = mode  # what `publish` below uses, like the servers
    layer = get_channel_layer()
    try:
        with httpx.Client(timeout=30) as client:
            minimum = client.get(f"{bases[0]}/api/v1/auctions/{auction_id}/").json()["minimum_bid"]
            for round_number in range(rounds):
                # one bid through the whole path: REST on node 1, row lock, commit, broadcast;
                # two bidders take turns (a high bidder raising their own bid is not a new bid)
                headers = {
                    "Authorization": f"Token {tokens[round_number % 2]}",
                    "Idempotency-Key": uuid.uuid4().hex,
                }
                sent = time.perf_counter()
                reply = client.post(
                    f"{bases[0]}/api/v1/auctions/{auction_id}/bids/",
                    json={"amount": {"amount": minimum["amount"], "currency": minimum["currency"]}},
                    headers=headers,
                )
                assert reply.status_code == 201, reply.text
                seq = reply.json()["bids"][-1]["seq"]
                minimum = reply.json()["auction"]["minimum_bid"]
                bids.extend((arrival - sent) * 1000 for arrival in crowd.wait_for(("bid", seq)))
                # the broadcast on its own: what bid_place hands to after-commit, timed from the call
                message = {"event": "bench_ping", "payload": {"n": round_number}}
                sent = time.perf_counter()
                if mode == "hub":
                    publish(auction_id, [message])
                else:  # the baseline, straight through channels-redis
                    async_to_sync(layer.group_send)(
                        group_name(auction_id), {"type": "auction.event", "message": message}
                    )
                broadcasts.extend(
                    (arrival - sent) * 1000 for arrival in crowd.wait_for(("ping", round_number))
                )
                if verbose:
                    print(f"      round {round_number}: bid p50/max {percentile(bids[-count:], 0.5):.0f}/{max(bids[-count:]):.0f} ms, "
                          f"broadcast p50/max {percentile(broadcasts[-count:], 0.5):.0f}/{max(broadcasts[-count:]):.0f} ms")  # fmt: skip
    finally:
        crowd.close()
    return {"bids": bids, "broadcasts": broadcasts, "connect_seconds": connect_seconds,
            "kb_per_connection": (after - before) / count}  # fmt: skip


def servers(stack: ExitStack, mode: str) -> tuple[list[str], list[int]]:
    bases = [
        stack.enter_context(asgi_server(extra_env=dict(SERVER_ENV, AUCTION_FANOUT=mode))) for _ in range(2)
    ]
    return bases, server_pids([int(base.rsplit(":", 1)[1]) for base in bases])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--watchers", default="1000,5000", help="Watcher counts for the fan-out, comma-separated."
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="Length of the hot-auction run.")
    parser.add_argument("--bidders", type=int, default=50, help="Concurrent bidders on the hot auction.")
    parser.add_argument("--rounds", type=int, default=20, help="Bids (and broadcasts) per fan-out size.")
    parser.add_argument("--clients", type=int, default=2, help="Client processes holding the watchers.")
    parser.add_argument("--skip-bids", action="store_true", help="Only the fan-out and memory parts.")
    parser.add_argument("--verbose", action="store_true", help="Print each fan-out round.")
    parser.add_argument(
        "--modes", default="hub,channel_layer", help="Fan-outs to run: hub (ours), channel_layer (baseline)."
    )
    arguments = parser.parse_args()
    # every watcher is a socket here and one in a server (which inherit this limit)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    setup_django()
    print(f"auction benchmark · {machine_line()} · 2 server processes")
    counts = [int(part) for part in arguments.watchers.split(",")]
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for mode in arguments.modes.split(","):
        with ExitStack() as stack:
            bases, pids = servers(stack, mode)
            if mode == "hub" and not arguments.skip_bids:
                for path, run in (("sockets", hot_auction_sockets), ("REST", hot_auction)):
                    auction_id, tokens = setup_auction(arguments.bidders)
                    hot = asyncio.run(run(bases, auction_id, tokens, arguments.seconds))
                    accepted = hot["outcomes"].get("accepted", 0)
                    print(f"(a) one hot auction, {arguments.bidders} bidders on {path} over 2 processes, {hot['elapsed']:.1f} s: "
                          f"{accepted / hot['elapsed']:.0f} bids accepted/s, {len(hot['latencies']) / hot['elapsed']:.0f} requests/s; "
                          f"outcomes {hot['outcomes']}")  # fmt: skip
                    print(f"    request → reply (ms)   {summary(hot['latencies'])}")
            for count in counts:
                label = "hub (ours)" if mode == "hub" else "channels-redis group_send (baseline)"
                try:
                    result = results[(mode, count)] = fan_out(
                        bases, pids, count, arguments.rounds, arguments.clients, mode, arguments.verbose
                    )
                except TimeoutError as error:
                    print(f"(b) {label}: {count} watchers FAILED: {error}")
                    continue
                print(
                    f"(b) {label}: {count} watchers over 2 processes ({result['connect_seconds']:.1f} s to connect), {arguments.rounds} rounds"
                )
                print(f"    bid request → delivery (ms)  {summary(result['bids'])}")
                print(f"    broadcast → delivery (ms)    {summary(result['broadcasts'])}")
                print(
                    f"(c) memory per idle connection: {result['kb_per_connection']:.0f} KB (server RSS growth / {count})"
                )
    for count in counts:
        if ("hub", count) not in results or ("channel_layer", count) not in results:
            print(f"    {count} watchers: no ratio (a run failed)")
            continue
        ours, baseline = results[("hub", count)], results[("channel_layer", count)]
        for part in ("bids", "broadcasts"):
            p50 = percentile(baseline[part], 0.5) / percentile(ours[part], 0.5)
            p99 = percentile(baseline[part], 0.99) / percentile(ours[part], 0.99)
            print(
                f"    {count} watchers, {part}: baseline / ours p50 {p50:.2f}, p99 {p99:.2f} (above 1: ours is faster)"
            )


if __name__ == "__main__":
    main()
