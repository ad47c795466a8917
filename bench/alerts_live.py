"""Alerts benchmark (issue 21): how soon an outbid alert reaches the outbid buyer's open page.

Two buyers top each other on one auction, one bid at a time, each bid placed through the
auctions' service in this process (as a server process places it); both buyers follow their
bell's stream (`/notifications/stream/`) on a real ASGI server process. For every bid, the
time from its commit (a callback registered first in the bid's transaction, run when COMMIT has
returned) to the arrival of the stream event on the outbid buyer's stream that counts the new
notification: the whole path (the notification row, the topic's PUBLISH after commit, the
server's subscription, its read back from PostgreSQL, the SSE event). The goal is p95 <= 250 ms.

    .venv/bin/python -m bench.alerts_live [--outbids 200]

Runs against `make run`'s database and Redis (config.settings.local, or DATABASE_URL and
REDIS_URL as exported): it creates two bench buyers and an auction on a published listing.
Prints what it measured."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import queue
import threading
import time
from datetime import timedelta
from functools import partial
from typing import Any

import httpx

from bench.common import asgi_server, machine_line, percentile, setup_django, summary

GOAL_MS = 250.0


def setup(buyers: int) -> tuple[int, list[Any], list[str]]:
    """A fresh auction on a published listing, `buyers` bench buyers and a session for each."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from auctions.services import auction_create
    from core.money import Money
    from marketplace.models import Machine, User

    machine = (
        Machine.objects.filter(status="published", auctions__isnull=True)
        .order_by("?")
        .select_related("seller")
        .first()
    )
    if machine is None:
        raise SystemExit("no published listing without an auction: seed the catalogue first (make run)")
    now = timezone.now()
    auction = auction_create(
        seller=machine.seller, machine_id=machine.pk, kind="sudden_death", starts_at=now - timedelta(seconds=1),
        ends_at=now + timedelta(hours=2), extension_seconds=0, starting_price=Money(1_000_000, "EUR"),
    )  # fmt: skip
    users, sessions = [], []
    for index in range(buyers):
        user, _ = User.objects.get_or_create(
            username=f"bench-alerts-{index}", defaults={"email": f"bench-alerts{index}@example.com"}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        users.append(user)
        sessions.append(str(session.session_key))
    return auction.pk, users, sessions


class Bell:
    """One buyer's open page: the bell's stream read in a thread of its own, each event put on
    `events` with the moment it arrived."""

    def __init__(self, base: str, session: str) -> None:
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._follow, args=(base, session), daemon=True)
        self.thread.start()

    def _follow(self, base: str, session: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.task = self.loop.create_task(self._read(base, session))
        with contextlib.suppress(asyncio.CancelledError):
            self.loop.run_until_complete(self.task)
        self.loop.close()

    def close(self) -> None:
        """Leave the stream (before the server stops, which would wait for it)."""
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(10)

    async def _read(self, base: str, session: str) -> None:
        async with (
            httpx.AsyncClient(cookies={"sessionid": session}, timeout=httpx.Timeout(30)) as client,
            client.stream("GET", f"{base}/notifications/stream/") as response,
        ):
            if response.status_code != 200:
                raise SystemExit(f"the stream answered {response.status_code}")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    self.events.put((time.perf_counter(), json.loads(line.removeprefix("data: "))))
                    self.ready.set()

    def until_unread(self, unread: int, timeout: float = 10.0) -> float:
        """When the event counting `unread` notifications arrived."""
        deadline = time.monotonic() + timeout
        while True:
            arrived, state = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            if state["unread"] >= unread:
                return arrived


def stamp(moments: list[float]) -> None:
    moments.append(time.perf_counter())


def outbid_latencies(
    base: str, auction_id: int, users: list[Any], sessions: list[str], outbids: int
) -> list[float]:
    from django.db import transaction

    from alerts.services import notifications_mark_read
    from auctions.models import Auction
    from auctions.services import bid_place
    from auctions.services.bidding import stored_state
    from core.money import Money

    for user in users:
        notifications_mark_read(user_id=user.pk)
    bells = [Bell(base, session) for session in sessions]
    for bell in bells:
        if not bell.ready.wait(30):
            raise SystemExit("a stream sent nothing")
    unread = [0] * len(users)
    latencies = []
    for number in range(outbids + 1):
        bidder = number % len(users)
        auction = Auction.objects.get(pk=auction_id)
        minimum = stored_state(auction).minimum_bid
        committed: list[float] = []
        with transaction.atomic():
            transaction.on_commit(partial(stamp, committed))  # first: COMMIT returned
            bid_place(
                auction_id=auction_id,
                bidder=users[bidder],
                amount=Money(minimum.amount, minimum.currency),
                idempotency_key=f"bench-{auction_id}-{number}",
            )
        if number == 0:
            continue  # the first bid outbids nobody
        outbid = (number - 1) % len(users)
        unread[outbid] += 1
        arrived = bells[outbid].until_unread(unread[outbid])
        latencies.append((arrived - committed[0]) * 1000)
    for bell in bells:
        bell.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outbids", type=int, default=200)
    arguments = parser.parse_args()
    os.environ.setdefault("BID_RATE_LIMIT", "100000000")  # two bidders topping each other as fast as they can
    setup_django()
    from django.conf import settings

    auction_id, users, sessions = setup(2)
    print(machine_line())
    with asgi_server(settings=settings.SETTINGS_MODULE) as base:
        latencies = outbid_latencies(base, auction_id, users, sessions, arguments.outbids)
    print(f"outbid alert, the higher bid's commit -> the outbid buyer's SSE event, ms: {summary(latencies)}")
    p95 = percentile(latencies, 0.95)
    print(
        f"median {percentile(latencies, 0.5):.1f} ms, p95 {p95:.1f} ms: goal p95 <= {GOAL_MS:.0f} ms {'met' if p95 <= GOAL_MS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
