"""Presence across two real server processes: every watcher sees how many watch, on either
node, and the watchers of a node killed with SIGKILL stop counting once their entries expire."""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings

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


def test_a_crowd_joining_gets_a_few_counts_not_one_per_join() -> None:
    # A count per join would send each of n watchers up to n messages; joins and leaves within
    # PRESENCE_COALESCE share one broadcast.
    auction = open_auction()
    environment = {**process_environment(settings.REDIS_URL), "PRESENCE_COALESCE": "1"}
    node = Node(environment).start()
    crowd_size = 40
    try:

        async def scenario() -> tuple[int, int]:
            first = SocketBuyer("first", [node], auction.pk).start()
            await until(lambda: first.connected, timeout=20, what="the first watcher")
            crowd = [SocketBuyer(f"crowd-{i}", [node], auction.pk).start() for i in range(crowd_size)]
            await until(lambda: all(b.connected for b in crowd), timeout=60, what="the crowd to connect")
            await until(
                lambda: first.watching == crowd_size + 1, timeout=20, what="the first to see everyone"
            )
            counts = sum(1 for event in first.events if event["event"] == "presence")
            for buyer in [first, *crowd]:
                await buyer.stop()
            assert first.watching is not None
            return counts, first.watching

        counts, watching = asyncio.run(scenario())
    finally:
        node.stop()

    assert watching == crowd_size + 1
    assert 1 <= counts < crowd_size // 2
