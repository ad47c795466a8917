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
import re
import resource
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import asgi_server, machine_line, percentile, setup_django, summary

SEQ = re.compile(rb'"seq":\s*(\d+)')
PING = re.compile(rb'"bench_ping",\s*"payload":\s*\{"n":\s*(\d+)')
CONNECT_CONCURRENCY = 100
SERVER_ENV = {"BID_RATE_LIMIT": "100000000", "PRESENCE_HEARTBEAT": "30"}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pids(ports: list[int]) -> list[int]:
    """The uvicorn processes listening on `ports` (their command line names the port)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in b" ".join(command) and any(str(port).encode() in command for port in ports):
            pids.append(int(entry.name))
    return pids


def setup_auction(bidders: int) -> tuple[int, list[str]]:
    """A fresh auction on a published listing, and API tokens of `bidders` buyers."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from auctions.services import auction_create
    from marketplace.models import Machine, User

    machine = Machine.objects.filter(status="published").order_by("?").select_related("seller").first()
    assert machine is not None, "seed the catalogue first (make run)"
    now = timezone.now()
    auction = auction_create(seller=machine.seller, data={
        "machine": machine.pk, "kind": "soft_close", "starts_at": (now - timedelta(seconds=1)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(), "extension_seconds": 60,
        "starting_price": {"amount": 1_000_000, "currency": "EUR"},
    })  # fmt: skip
    tokens = []
    for index in range(bidders):
        user, _ = User.objects.get_or_create(username=f"bench-bidder-{index}", defaults={"email": f"bench{index}@example.com"})
        tokens.append(str(Token.objects.get_or_create(user=user)[0].key))
    return auction.pk, tokens


async def hot_auction(bases: list[str], auction_id: int, tokens: list[str], seconds: float) -> dict[str, Any]:
    import httpx

    minimum = {"cents": 0}
    latencies: list[float] = []
    outcomes: dict[str, int] = defaultdict(int)
    async with httpx.AsyncClient(timeout=30) as client:
        detail = (await client.get(f"{bases[0]}/api/auctions/{auction_id}/")).json()
        minimum["cents"] = detail["minimumBidCents"]
        deadline = time.perf_counter() + seconds

        async def bidder(index: int) -> None:
            base, headers = bases[index % len(bases)], {"Authorization": f"Token {tokens[index]}"}
            while time.perf_counter() < deadline:
                headers["Idempotency-Key"] = uuid.uuid4().hex
                started = time.perf_counter()
                reply = await client.post(f"{base}/api/auctions/{auction_id}/bids/", json={"amount": minimum["cents"]},
                                          headers=headers)  # fmt: skip
                latencies.append((time.perf_counter() - started) * 1000)
                body = reply.json()
                if reply.status_code == 201:
                    outcomes["accepted"] += 1
                    minimum["cents"] = max(minimum["cents"], body["auction"]["minimumBidCents"])
                else:
                    outcomes[body["error"]["code"]] += 1
                    fresh = (await client.get(f"{base}/api/auctions/{auction_id}/")).json()
                    minimum["cents"] = max(minimum["cents"], fresh["minimumBidCents"])

        started = time.perf_counter()
        await asyncio.gather(*(bidder(index) for index in range(len(tokens))))
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "outcomes": dict(outcomes)}


class Watchers:
    """`count` WebSocket watchers of one auction over `bases`; each records when every `new_bid`
    (by seq) and every baseline message (by its number) arrives."""

    def __init__(self, bases: list[str], auction_id: int, count: int) -> None:
        self.urls = [base.replace("http://", "ws://") + f"/ws/auctions/{auction_id}/" for base in bases]
        self.count = count
        self.sockets: list[Any] = []
        self.arrivals: dict[tuple[str, int], list[float]] = defaultdict(list)
        self.tasks: list[asyncio.Task[None]] = []

    async def open(self) -> None:
        import websockets

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def connect(index: int) -> None:
            async with gate:
                socket = await websockets.connect(self.urls[index % len(self.urls)], origin="http://127.0.0.1",
                                                  max_queue=None, open_timeout=60)  # fmt: skip
                await socket.recv()  # the snapshot
                self.sockets.append(socket)
                self.tasks.append(asyncio.create_task(self.read(socket)))

        await asyncio.gather(*(connect(index) for index in range(self.count)))

    async def read(self, socket: Any) -> None:
        try:
            async for message in socket:
                raw = message if isinstance(message, bytes) else message.encode()
                if b'"new_bid"' in raw and (match := SEQ.search(raw)):
                    self.arrivals[("bid", int(match.group(1)))].append(time.perf_counter())
                elif match := PING.search(raw):
                    self.arrivals[("ping", int(match.group(1)))].append(time.perf_counter())
        except Exception:  # a closed socket ends its reader
            return

    async def wait_for(self, key: tuple[str, int], timeout: float = 60) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.arrivals[key]) < self.count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{key}: {len(self.arrivals[key])}/{self.count} delivered")
            await asyncio.sleep(0.005)

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)
        for task in self.tasks:
            task.cancel()


async def fan_out(
    bases: list[str], auction_id: int, tokens: list[str], count: int, rounds: int, pids: list[int]
) -> dict[str, Any]:
    import httpx
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from auctions.broadcast import group_name, publish

    before = sum(rss_kb(pid) for pid in pids)
    watchers = Watchers(bases, auction_id, count)
    connect_started = time.perf_counter()
    await watchers.open()
    connect_seconds = time.perf_counter() - connect_started
    after = sum(rss_kb(pid) for pid in pids)
    ours: list[float] = []
    broadcast: list[float] = []
    baseline: list[float] = []
    layer = get_channel_layer()
    async with httpx.AsyncClient(timeout=30) as client:
        minimum = (await client.get(f"{bases[0]}/api/auctions/{auction_id}/")).json()["minimumBidCents"]
        for round_number in range(rounds):
            # one bid through the whole path: REST on node 1, row lock, commit, broadcast; two
            # bidders take turns (a high bidder raising their own bid is not a new bid)
            headers = {"Authorization": f"Token {tokens[round_number % 2]}", "Idempotency-Key": uuid.uuid4().hex}
            sent = time.perf_counter()
            reply = await client.post(f"{bases[0]}/api/auctions/{auction_id}/bids/", json={"amount": minimum}, headers=headers)
            assert reply.status_code == 201, reply.text
            seq = reply.json()["bids"][-1]["seq"]
            minimum = reply.json()["auction"]["minimumBidCents"]
            await watchers.wait_for(("bid", seq))
            ours.extend((arrival - sent) * 1000 for arrival in watchers.arrivals[("bid", seq)])
            # our broadcast on its own: what bid_place hands to after-commit, timed from the call
            sent = time.perf_counter()
            await sync_to_async(publish)(auction_id, [{"event": "bench_ping", "payload": {"n": 2 * round_number}}])
            await watchers.wait_for(("ping", 2 * round_number))
            broadcast.extend((arrival - sent) * 1000 for arrival in watchers.arrivals[("ping", 2 * round_number)])
            # the baseline: the same group, a message sent straight with channels-redis group_send
            sent = time.perf_counter()
            message = {"event": "bench_ping", "payload": {"n": 2 * round_number + 1}}
            await layer.group_send(group_name(auction_id), {"type": "auction.event", "message": message})
            await watchers.wait_for(("ping", 2 * round_number + 1))
            baseline.extend((arrival - sent) * 1000 for arrival in watchers.arrivals[("ping", 2 * round_number + 1)])
    await watchers.close()
    return {"ours": ours, "broadcast": broadcast, "baseline": baseline, "connect_seconds": connect_seconds,
            "kb_per_connection": (after - before) / count}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--watchers", default="1000,5000", help="Watcher counts for the fan-out, comma-separated.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Length of the hot-auction run.")
    parser.add_argument("--bidders", type=int, default=24, help="Concurrent REST bidders on the hot auction.")
    parser.add_argument("--rounds", type=int, default=20, help="Bids (and baseline messages) per fan-out size.")
    arguments = parser.parse_args()
    # every watcher is a socket here and one in a server (which inherit this limit)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    setup_django()
    print(f"auction benchmark · {machine_line()} · 2 server processes")
    with ExitStack() as stack:
        bases = [stack.enter_context(asgi_server(extra_env=SERVER_ENV)) for _ in range(2)]
        pids = server_pids([int(base.rsplit(":", 1)[1]) for base in bases])
        auction_id, tokens = setup_auction(arguments.bidders)
        hot = asyncio.run(hot_auction(bases, auction_id, tokens, arguments.seconds))
        accepted = hot["outcomes"].get("accepted", 0)
        print(f"(a) one hot auction, {arguments.bidders} REST bidders over 2 processes, {hot['elapsed']:.1f} s: "
              f"{accepted / hot['elapsed']:.0f} bids accepted/s, {len(hot['latencies']) / hot['elapsed']:.0f} requests/s; "
              f"outcomes {hot['outcomes']}")  # fmt: skip
        print(f"    request → reply (ms)   {summary(hot['latencies'])}")
        for count in (int(part) for part in arguments.watchers.split(",")):
            auction_id, pair = setup_auction(2)
            result = asyncio.run(fan_out(bases, auction_id, pair, count, arguments.rounds, pids))
            ratio_p50 = percentile(result["baseline"], 0.5) / percentile(result["broadcast"], 0.5)
            ratio_p99 = percentile(result["baseline"], 0.99) / percentile(result["broadcast"], 0.99)
            print(f"(b) fan-out to {count} watchers ({result['connect_seconds']:.1f} s to connect them), {arguments.rounds} rounds:")
            print(f"    bid request → delivery (ms)  {summary(result['ours'])}")
            print(f"    our broadcast → delivery     {summary(result['broadcast'])}")
            print(f"    group_send baseline          {summary(result['baseline'])}")
            print(f"    baseline / our broadcast: p50 {ratio_p50:.2f}, p99 {ratio_p99:.2f} (above 1: ours is faster)")
            print(f"(c) memory per idle connection: {result['kb_per_connection']:.0f} KB (server RSS growth / {count})")


if __name__ == "__main__":
    main()
