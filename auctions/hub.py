"""Fan-out of auction events: one Redis pub/sub subscription per server process and auction,
delivered in memory to that process's sockets and streams.

A committed bid is one `PUBLISH auction-events:<id>` (see `publish`), whatever the number of
watchers. Each server process holds one pub/sub connection (per event loop); the first local
listener of an auction subscribes it, the last one to leave unsubscribes it. A message is
decoded once and handed to every local listener, which queues it without blocking: a slow
socket never holds up the others.

Pub/sub keeps nothing for a subscriber that is away, so the hub says when something may have
been missed instead: `Listener.hub_resync()` is called for every listener after the
connection to Redis comes back (and for one whose subscription was not confirmed in time when
it joined); the listener then catches up from PostgreSQL, where every accepted bid is. Gaps
between two events that did arrive are the listener's to fill the same way (it sees the jump
in `seq`).

    join(auction_id, listener)      ─┐  SUBSCRIBE (awaited: events published from here on arrive)
    publish(auction_id, messages)    │  PUBLISH, one per event
    reader task                     ─┘  message → HubEvent → listener.hub_event(event) for each
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core.redis import get_redis

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "auction-events:"
SUBSCRIBE_TIMEOUT = 2.0  # a join waits this long for Redis to confirm, then relies on hub_resync
READ_TIMEOUT = 15.0  # silence after which the hub pings Redis
DEAD_AFTER = 3  # unanswered pings before the connection counts as lost
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)


def channel_name(auction_id: int) -> str:
    return f"{CHANNEL_PREFIX}{auction_id}"


@dataclass(frozen=True, slots=True)
class HubEvent:
    """One auction event as delivered: the decoded message and its JSON text (sent as is)."""

    auction_id: int
    seq: int | None
    message: dict[str, Any]
    text: str

    @classmethod
    def from_text(cls, auction_id: int, text: str) -> HubEvent:
        message = json.loads(text)
        return cls(auction_id, message.get("payload", {}).get("seq"), message, text)

    @classmethod
    def from_message(cls, auction_id: int, message: dict[str, Any]) -> HubEvent:
        return cls(auction_id, message.get("payload", {}).get("seq"), message, json.dumps(message))


class Listener(Protocol):
    """A socket or stream. Both methods are called on the event loop and must not block."""

    def hub_event(self, event: HubEvent) -> None: ...

    def hub_resync(self) -> None: ...


class Inbox:
    """A listener that queues what it is handed, for a task to take in order (None: catch up
    from PostgreSQL)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[HubEvent | None] = asyncio.Queue()

    def hub_event(self, event: HubEvent) -> None:
        self.queue.put_nowait(event)

    def hub_resync(self) -> None:
        self.queue.put_nowait(None)


def publish(auction_id: int, messages: list[dict[str, Any]]) -> None:
    """Send `messages` to every process watching the auction (synchronous: after commit)."""
    with get_redis().pipeline(transaction=False) as pipe:
        for message in messages:
            pipe.publish(channel_name(auction_id), json.dumps(message))
        pipe.execute()


class AuctionHub:
    """The process's subscriptions, for one event loop. See the module docstring."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.listeners: dict[int, set[Listener]] = defaultdict(set)
        self.active: set[int] = set()  # auctions whose subscription Redis confirmed
        self.confirming: dict[int, asyncio.Future[None]] = {}  # SUBSCRIBE sent, not yet confirmed
        self.late: dict[int, set[Listener]] = defaultdict(set)  # to resync once confirmed
        self.pubsub: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def join(self, auction_id: int, listener: Listener) -> None:
        """Deliver the auction's events to `listener`. Returns once Redis confirmed the
        subscription, so every event published from then on arrives; if Redis cannot confirm
        within SUBSCRIBE_TIMEOUT, returns anyway and resyncs the listener when it does."""
        self.listeners[auction_id].add(listener)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self._run())
        if auction_id in self.active:
            return
        confirmed = self.confirming.get(auction_id)
        if confirmed is None:
            confirmed = self.confirming[auction_id] = asyncio.get_running_loop().create_future()
            await self._send("subscribe", auction_id)
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            if auction_id in self.active:
                return
            logger.warning("no confirmation of the subscription to auction %s yet; will resync", auction_id)
            self.late[auction_id].add(listener)

    async def leave(self, auction_id: int, listener: Listener) -> None:
        listeners = self.listeners.get(auction_id)
        if listeners is not None:
            listeners.discard(listener)
        self.late[auction_id].discard(listener)
        if listeners:
            return
        self.listeners.pop(auction_id, None)
        self.late.pop(auction_id, None)
        if auction_id in self.active:  # one still being confirmed is dropped when it is
            self.active.discard(auction_id)
            await self._send("unsubscribe", auction_id)
        if not self.listeners:
            await self._stop()

    async def _send(self, command: str, auction_id: int) -> None:
        if self.pubsub is None or not self.connected.is_set():
            return  # the reader subscribes everything it should once it is connected
        try:
            await getattr(self.pubsub, command)(channel_name(auction_id))
        except (RedisError, OSError):
            logger.warning("could not %s auction %s; the reader reconnects", command, auction_id)

    async def _stop(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _connect(self) -> Any:
        client = redis.asyncio.Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),  # the hub reconnects itself, and resyncs after
            socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT,
        )
        pubsub = self.pubsub = client.pubsub()
        try:
            # The hub's own channel keeps the connection subscribed while no auction is watched.
            await pubsub.subscribe(f"{CHANNEL_PREFIX}hub")
            self.connected.set()
            for auction_id in list(self.listeners):
                if auction_id not in self.confirming:
                    self.confirming[auction_id] = asyncio.get_running_loop().create_future()
                await pubsub.subscribe(channel_name(auction_id))
        except BaseException:
            await self._disconnect(pubsub)
            raise
        return pubsub

    async def _disconnect(self, pubsub: Any) -> None:
        if pubsub is None:
            return
        with contextlib.suppress(Exception):
            await pubsub.aclose()
        with contextlib.suppress(Exception):
            await pubsub.connection_pool.disconnect()
        if self.pubsub is not pubsub:
            return  # a newer reader owns the hub now
        self.pubsub = None
        self.connected.clear()
        # Whatever was published meanwhile is lost to pub/sub: everyone resyncs once the
        # subscription is back.
        for auction_id in list(self.active):
            self.late[auction_id].update(self.listeners.get(auction_id, ()))
        self.active.clear()

    async def _run(self) -> None:
        failures = 0
        pubsub = None
        try:
            while self.listeners:
                try:
                    pubsub = await self._connect()
                    if failures:
                        logger.warning("auction events: reconnected to Redis")
                    failures = 0
                    await self._read(pubsub)
                except (RedisError, OSError) as error:
                    if failures == 0:
                        logger.warning("auction events: lost Redis (%s); reconnecting", error)
                    await self._disconnect(pubsub)
                    pubsub = None
                    await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])  # retry backoff
                    failures += 1
        finally:
            await self._disconnect(pubsub)
            if self.reader is None or self.reader is asyncio.current_task():  # not replaced
                self.late.clear()
                for confirmed in self.confirming.values():
                    confirmed.cancel()
                self.confirming.clear()

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
            kind = message["type"]
            if kind == "message":
                self._deliver(message["channel"].decode(), message["data"].decode())
            elif kind == "subscribe":
                self._confirmed(message["channel"].decode())

    def _auction_of(self, channel: str) -> int | None:
        suffix = channel.removeprefix(CHANNEL_PREFIX)
        return int(suffix) if suffix.isdigit() else None

    def _confirmed(self, channel: str) -> None:
        auction_id = self._auction_of(channel)
        if auction_id is None:
            return
        confirmed = self.confirming.pop(auction_id, None)
        if confirmed is not None and not confirmed.done():
            confirmed.set_result(None)
        if not self.listeners.get(auction_id):  # everyone left while it was being confirmed
            asyncio.get_running_loop().create_task(self._send("unsubscribe", auction_id))
            return
        self.active.add(auction_id)
        for listener in self.late.pop(auction_id, ()):
            self._call(listener.hub_resync)

    def _deliver(self, channel: str, text: str) -> None:
        auction_id = self._auction_of(channel)
        listeners = self.listeners.get(auction_id) if auction_id is not None else None
        if not listeners or auction_id is None:
            return
        try:
            event = HubEvent.from_text(auction_id, text)
        except (ValueError, AttributeError):
            logger.warning("auction events: dropped a malformed message on %s", channel)
            return
        for listener in list(listeners):
            self._call(listener.hub_event, event)

    @staticmethod
    def _call(method: Any, *args: Any) -> None:
        try:
            method(*args)
        except Exception:
            logger.exception("an auction event listener failed")


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AuctionHub] = weakref.WeakKeyDictionary()


def auction_hub() -> AuctionHub:
    """This event loop's hub (one per server process in production)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.url != settings.REDIS_URL:
        hub = _hubs[loop] = AuctionHub(settings.REDIS_URL)
    return hub
