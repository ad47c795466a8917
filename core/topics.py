"""Notices that something changed, between server processes: one Redis pub/sub subscription
per process and topic, handed in memory to every local follower.

A topic is a name (`listing:42:watchers`). A write calls `notify(topic)` after it commits; a
stream follows a topic with `topic_hub().follow(topic)`, an `asyncio.Event` that is set when
the topic may have changed, and then reads what it shows from PostgreSQL. A notice carries no
value on purpose: two writes' notices may arrive in either order, and pub/sub keeps nothing for
a process whose connection was down, so the value is always read back from the source of
truth. The event is also set when the subscription is confirmed (at first and after a lost
connection comes back), so a follower reads once at the start and whenever it may have missed
a notice. Many notices before a follower wakes are one read.

For the auctions' numbered events, replayed from their log, see `auctions/hub.py` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core.redis import get_redis

logger = logging.getLogger(__name__)

PREFIX = "topics:"
KEEP_SUBSCRIBED = "topics-hub"  # keeps the connection subscribed while no topic is followed
READ_TIMEOUT = 15.0  # silence after which the hub pings Redis
DEAD_AFTER = 3  # unanswered pings before the connection counts as lost
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)


def notify(topic: str) -> None:
    """Tell every process following `topic` that it may have changed. Call it after commit
    (`transaction.on_commit`); with Redis away the write stands and followers catch up when
    their subscription comes back."""
    try:
        get_redis().publish(PREFIX + topic, b"")
    except RedisError:
        logger.warning("could not notify %s", topic, exc_info=True)


class TopicHub:
    """The process's subscriptions, for one event loop."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.followers: dict[str, set[asyncio.Event]] = defaultdict(set)
        self.pubsub: Any = None
        self.reader: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def follow(self, topic: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever `topic` may have changed, first once Redis confirms the
        subscription; the follower clears it before it reads."""
        changed = asyncio.Event()
        first = not self.followers.get(topic)
        self.followers[topic].add(changed)
        try:
            if self.reader is None or self.reader.done():
                self.reader = asyncio.get_running_loop().create_task(self._run())
            elif first:
                await self._send("subscribe", topic)
            else:
                changed.set()  # subscribed already: nothing published from now on is missed
            yield changed
        finally:
            followers = self.followers.get(topic)
            if followers is not None:
                followers.discard(changed)
                if not followers:
                    del self.followers[topic]
                    await self._send("unsubscribe", topic)
            if not self.followers:
                await self._stop()

    async def _send(self, command: str, topic: str) -> None:
        if self.pubsub is None:
            return  # the reader subscribes every followed topic once it is connected
        try:
            await getattr(self.pubsub, command)(PREFIX + topic)
        except (RedisError, OSError):
            logger.warning("could not %s %s; the reader reconnects", command, topic)

    async def _stop(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _run(self) -> None:
        failures = 0
        while self.followers:
            client = redis.asyncio.Redis.from_url(
                self.url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT
            )
            pubsub: Any = client.pubsub()
            try:
                asked = {PREFIX + topic for topic in list(self.followers)}
                await pubsub.subscribe(KEEP_SUBSCRIBED, *asked)
                self.pubsub = pubsub
                # a topic first followed while that subscribe was on its way found no
                # connection to send its own on, and counted on this one
                missed = {PREFIX + topic for topic in list(self.followers)} - asked
                if missed:
                    await pubsub.subscribe(*missed)
                failures = 0
                await self._read(pubsub)
            except (RedisError, OSError) as error:
                if failures == 0:
                    logger.warning("topics: lost Redis (%s); reconnecting", error)
                await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1
            finally:
                self.pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _read(self, pubsub: Any) -> None:
        silent = 0
        while True:
            message = await pubsub.get_message(timeout=READ_TIMEOUT)
            if message is None:
                silent += 1
                if silent > DEAD_AFTER:
                    raise RedisError(f"no answer from Redis in {silent * READ_TIMEOUT:.0f} s")
                await pubsub.ping()
                continue
            silent = 0
            if message["type"] in ("message", "subscribe"):
                # a notice, or a confirmed subscription (a follower may have missed notices)
                topic = message["channel"].decode().removeprefix(PREFIX)
                for changed in self.followers.get(topic, ()):
                    changed.set()


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TopicHub] = weakref.WeakKeyDictionary()


def topic_hub() -> TopicHub:
    """This event loop's hub (one per server process in production)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.url != settings.REDIS_URL:
        hub = _hubs[loop] = TopicHub(settings.REDIS_URL)
    return hub
