"""Presence across two real server processes: every watcher sees how many watch, on either
node, and the watchers of a node killed with SIGKILL stop counting once their entries expire."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings

from auctions import presence
from auctions.hub import Inbox, auction_hub, publish
from tests.auctions.cluster import Node, SocketBuyer, process_environment, until
from tests.factories import open_auction

pytestmark = pytest.mark.django_db(transaction=True)


def test_watchers_on_two_nodes_are_counted_and_a_killed_nodes_watchers_expire() -> None:
    auction = open_auction()
    environment = process_environment(settings.REDIS_URL)
    first, second = Node(environment).start(), Node(environment).start()
    try:

        async def scenario() -> dict[str, object]:
            seen: dict[str, object] = {}
            on_first = [SocketBuyer(f"first-{i}", [first], auction.pk).start() for i in range(2)]
            await until(lambda: all(b.connected for b in on_first), timeout=20, what="two watchers on node 1")
            on_second = SocketBuyer("second-0", [second], auction.pk).start()
            await until(lambda: on_second.connected, timeout=20, what="a watcher on node 2")
            seen["snapshot of the third"] = on_second.events[0]["payload"]["watching"]
            everyone = [*on_first, on_second]
            await until(
                lambda: all(b.watching == 3 for b in everyone), timeout=20, what="everyone to see 3 watching"
            )

            on_second.stopping = True  # it must not reconnect anywhere once its node is gone
            second.kill()
            await until(
                lambda: all(b.watching == 2 for b in on_first),
                timeout=15,
                what="the killed node's watcher to expire",
            )
            seen["after kill"] = [b.watching for b in on_first]

            await on_first[1].stop()  # a clean goodbye counts at once
            await until(lambda: on_first[0].watching == 1, timeout=10, what="the count after a watcher left")
            seen["after leave"] = on_first[0].watching
            await on_first[0].stop()
            await on_second.stop()
            return seen

        seen = asyncio.run(scenario())
    finally:
        first.stop()
        second.stop()

    assert seen == {"snapshot of the third": 3, "after kill": [2, 2], "after leave": 1}


def test_a_crowd_joining_within_the_window_gets_one_count_not_one_per_join(settings: Any) -> None:
    # A count per join would send each of n watchers up to n messages; joins and leaves within
    # the coalescing window share one broadcast. The window here is an event the test sets (a
    # sync point), so how fast the joins come does not decide the outcome.
    settings.AUCTION_FANOUT = "hub"
    auction = open_auction()
    crowd_size = 40

    async def scenario() -> tuple[int, list[dict[str, Any]]]:
        window = asyncio.Event()
        heartbeat = presence._heartbeats[asyncio.get_running_loop()] = presence._Heartbeat(window.wait)
        listener = Inbox()
        await auction_hub().join(auction.pk, listener)
        members = [f"crowd-{uuid.uuid4().hex}" for _ in range(crowd_size)]
        for member in members:
            await presence.watcher_join(auction.pk, member)
        pending = len(heartbeat.announcers)
        window.set()
        await asyncio.gather(*list(heartbeat.announcers))
        marker = {"event": "marker", "payload": {"auction_id": auction.pk}}
        await sync_to_async(publish)(auction.pk, [marker])  # everything before it has arrived
        received = []
        while (event := await asyncio.wait_for(listener.queue.get(), timeout=10)) is None or (
            event.message != marker
        ):
            if event is not None:
                received.append(event.message)
        for member in members:
            await presence.watcher_leave(auction.pk, member)
        await asyncio.gather(*list(heartbeat.announcers))
        if heartbeat.task is not None:
            heartbeat.task.cancel()
        await auction_hub().leave(auction.pk, listener)
        return pending, received

    pending, received = async_to_sync(scenario)()

    assert pending == 1  # forty joins, one announcement waiting
    assert received == [presence.presence_message(auction.pk, crowd_size)]
