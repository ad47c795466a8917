"""The process's auction hub against real Redis: one subscription per auction however many
listen, events in publish order to exactly the auction's listeners, a resync for everyone after
Redis comes back, and nothing left subscribed once the last listener leaves."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import redis as redis_client
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings

from auctions.hub import SUBSCRIBE_TIMEOUT, AuctionHub, HubEvent, Inbox, channel_name, publish
from core.redis import get_redis
from tests.core.test_health import RedisServer, free_port

_auction_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


class Recorder(Inbox):
    async def next(self) -> HubEvent | None:
        return await asyncio.wait_for(self.queue.get(), timeout=10)


def bid_message(auction_id: int, seq: int) -> dict[str, Any]:
    return {"event": "new_bid", "payload": {"auction_id": auction_id, "seq": seq}}


def subscribers(auction_id: int) -> int:
    return int(dict(get_redis().pubsub_numsub(channel_name(auction_id)))[channel_name(auction_id).encode()])


def test_one_publish_reaches_every_listener_of_the_auction_in_order_and_no_other() -> None:
    watched, other = next(_auction_ids), next(_auction_ids)

    async def scenario() -> None:
        hub = AuctionHub(settings.REDIS_URL)
        first, second, elsewhere = Recorder(), Recorder(), Recorder()
        await hub.join(watched, first)
        await hub.join(watched, second)
        await hub.join(other, elsewhere)
        assert await sync_to_async(subscribers)(watched) == 1  # one subscription for both

        # joined means subscribed: published right after, it arrives
        await sync_to_async(publish)(watched, [bid_message(watched, 1), bid_message(watched, 2)])
        await sync_to_async(publish)(other, [bid_message(other, 7)])

        for recorder in (first, second):
            events = [await recorder.next(), await recorder.next()]
            assert [(e.auction_id, e.seq) for e in events if e] == [(watched, 1), (watched, 2)]
            assert events[0] is not None
            assert events[0].message == bid_message(watched, 1)
        only = await elsewhere.next()
        assert only is not None
        assert (only.auction_id, only.seq) == (other, 7)
        assert first.queue.empty()
        assert second.queue.empty()
        assert elsewhere.queue.empty()

        await hub.leave(watched, first)
        assert await sync_to_async(subscribers)(watched) == 1  # the second still listens
        await hub.leave(watched, second)
        await hub.leave(other, elsewhere)
        assert hub.reader is None  # nobody listens: the connection is closed

    async_to_sync(scenario)()
    assert subscribers(watched) == 0
    assert subscribers(other) == 0


def test_after_redis_restarts_every_listener_resyncs_and_events_flow_again(tmp_path: Path) -> None:
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    auction_id = next(_auction_ids)

    async def scenario() -> None:
        hub = AuctionHub(redis.url)
        before, during = Recorder(), Recorder()
        await hub.join(auction_id, before)

        await sync_to_async(redis.stop)()
        started = time.monotonic()
        # Redis is down: the join returns anyway once its wait for a confirmation runs out
        # (the outer bound only turns a hang into a failure), and marks the listener to resync.
        await asyncio.wait_for(hub.join(auction_id, during), timeout=SUBSCRIBE_TIMEOUT * 15)
        waited = time.monotonic() - started
        assert during in hub.late[auction_id]
        assert auction_id not in hub.active
        assert waited >= SUBSCRIBE_TIMEOUT - 0.1  # it did wait for Redis before giving up
        await sync_to_async(redis.start)()

        assert await before.next() is None  # told to catch up from PostgreSQL
        assert await during.next() is None
        publisher = redis_client.Redis.from_url(redis.url)
        text = HubEvent.from_message(auction_id, bid_message(auction_id, 3)).text
        await sync_to_async(publisher.publish)(channel_name(auction_id), text)
        for recorder in (before, during):
            event = await recorder.next()
            assert event is not None
            assert event.seq == 3
        await hub.leave(auction_id, before)
        await hub.leave(auction_id, during)

    try:
        async_to_sync(scenario)()
    finally:
        redis.stop()


def test_a_malformed_message_is_dropped_and_the_next_one_delivered() -> None:
    auction_id = next(_auction_ids)

    async def scenario() -> None:
        hub = AuctionHub(settings.REDIS_URL)
        recorder = Recorder()
        await hub.join(auction_id, recorder)
        await sync_to_async(get_redis().publish)(channel_name(auction_id), b"not json")
        await sync_to_async(get_redis().publish)(channel_name(auction_id), b"[1, 2]")
        await sync_to_async(publish)(auction_id, [bid_message(auction_id, 1)])
        event = await recorder.next()
        assert event is not None
        assert event.seq == 1
        await hub.leave(auction_id, recorder)

    async_to_sync(scenario)()


def test_leaving_before_the_subscription_is_confirmed_leaves_nothing_subscribed() -> None:
    auction_id = next(_auction_ids)

    async def scenario() -> None:
        hub = AuctionHub(settings.REDIS_URL)
        keeper, recorder = Recorder(), Recorder()
        await hub.join(next(_auction_ids), keeper)  # keeps the hub's connection open
        joining = asyncio.ensure_future(hub.join(auction_id, recorder))
        await asyncio.sleep(0)  # let the join send its SUBSCRIBE, not a wait for anything
        await hub.leave(auction_id, recorder)
        await joining
        # The late confirmation unsubscribes: ask Redis until it has (a bounded poll).
        deadline = time.monotonic() + 5
        while await sync_to_async(subscribers)(auction_id) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert await sync_to_async(subscribers)(auction_id) == 0
        assert auction_id not in hub.active
        await hub.leave(next(iter(hub.listeners)), keeper)

    async_to_sync(scenario)()
