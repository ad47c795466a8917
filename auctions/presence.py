"""Who is watching an auction, counted across every server process in Redis.

One sorted set per auction (`presence:auction:<id>`): each open socket is a member (its channel
name), scored by the time its process last vouched for it. Every process refreshes all of its
sockets together every PRESENCE_HEARTBEAT seconds (one pipeline, not one timer per socket).
Members not refreshed for PRESENCE_TTL seconds belong to a process that died without saying
goodbye: whichever process looks next prunes them and broadcasts the new count, so a killed
node's watchers drop out within TTL + HEARTBEAT seconds with nothing left for the dead node to do.

Counts travel as `{"event": "presence", "payload": {"auction_id", "watching"}}` with the auction's
other events (`auctions/broadcast.py`). They carry no `seq`: presence is not part of the auction's event stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from redis import RedisError

from auctions.broadcast import publish_async
from core.redis import get_redis

logger = logging.getLogger(__name__)


def presence_key(auction_id: int) -> str:
    return f"presence:auction:{auction_id}"


def presence_message(auction_id: int, watching: int) -> dict[str, Any]:
    return {"event": "presence", "payload": {"auction_id": auction_id, "watching": watching}}


def _expire_seconds() -> int:
    return int(settings.PRESENCE_TTL * 2) + 1


def presence_join(*, auction_id: int, member: str, now: float) -> int:
    """Count `member` as watching; returns how many watch now (stale members pruned)."""
    key = presence_key(auction_id)
    with get_redis().pipeline() as pipe:
        pipe.zadd(key, {member: now})
        pipe.zremrangebyscore(key, "-inf", now - settings.PRESENCE_TTL)
        pipe.zcard(key)
        pipe.expire(key, _expire_seconds())
        _, _, count, _ = pipe.execute()
    return int(count)


def presence_leave(*, auction_id: int, member: str, now: float) -> int:
    key = presence_key(auction_id)
    with get_redis().pipeline() as pipe:
        pipe.zrem(key, member)
        pipe.zremrangebyscore(key, "-inf", now - settings.PRESENCE_TTL)
        pipe.zcard(key)
        _, _, count = pipe.execute()
    return int(count)


def presence_count(*, auction_id: int, now: float) -> int:
    """How many watch `auction_id` now (stale members pruned)."""
    key = presence_key(auction_id)
    with get_redis().pipeline() as pipe:
        pipe.zremrangebyscore(key, "-inf", now - settings.PRESENCE_TTL)
        pipe.zcard(key)
        _, count = pipe.execute()
    return int(count)


def presence_refresh(*, members: dict[int, list[str]], now: float) -> dict[int, int]:
    """Vouch for this process's sockets and prune the stale ones of every auction they watch.
    Returns the new count of each auction where pruning removed someone (its count changed)."""
    auction_ids = list(members)
    with get_redis().pipeline(transaction=False) as pipe:
        for auction_id in auction_ids:
            key = presence_key(auction_id)
            pipe.zadd(key, dict.fromkeys(members[auction_id], now))
            pipe.zremrangebyscore(key, "-inf", now - settings.PRESENCE_TTL)
            pipe.zcard(key)
            pipe.expire(key, _expire_seconds())
        replies = pipe.execute()
    changed = {}
    for index, auction_id in enumerate(auction_ids):
        removed, count = replies[index * 4 + 1], replies[index * 4 + 2]
        if int(removed) > 0:
            changed[auction_id] = int(count)
    return changed


async def presence_broadcast(auction_id: int, watching: int) -> None:
    # Redis down: a failure is logged; the next change or heartbeat prune sends a fresh count.
    await publish_async(auction_id, [presence_message(auction_id, watching)])


class _Heartbeat:
    """This process's open sockets (per event loop), refreshed in Redis together."""

    def __init__(self, window: Callable[[], Awaitable[object]] | None = None) -> None:
        # what an announcement waits for before counting: the coalescing period (a test
        # gives an event it sets instead of a time)
        self.window = window or (lambda: asyncio.sleep(settings.PRESENCE_COALESCE))
        self.members: dict[str, int] = {}
        self.task: asyncio.Task[None] | None = None
        self.announcing: set[int] = set()
        self.announcers: set[asyncio.Task[None]] = set()

    def announce(self, auction_id: int) -> None:
        """Broadcast the auction's count soon, once for every join and leave of the coming
        PRESENCE_COALESCE seconds: a count per join would send every watcher a message per
        other watcher (5,000 joins make 25,000,000 messages)."""
        if auction_id in self.announcing:
            return
        self.announcing.add(auction_id)
        task = asyncio.get_running_loop().create_task(self._announce(auction_id))
        self.announcers.add(task)
        task.add_done_callback(self.announcers.discard)

    async def _announce(self, auction_id: int) -> None:
        try:
            await self.window()  # the batching period, not a wait for anything
        finally:
            self.announcing.discard(auction_id)  # a join from here on announces again
        try:
            watching = await sync_to_async(presence_count, thread_sensitive=False)(
                auction_id=auction_id, now=time.time()
            )
        except RedisError:
            logger.warning("could not count the watchers of auction %s", auction_id, exc_info=True)
            return
        await presence_broadcast(auction_id, watching)

    def add(self, member: str, auction_id: int) -> None:
        self.members[member] = auction_id
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def remove(self, member: str) -> None:
        self.members.pop(member, None)

    async def _run(self) -> None:
        while self.members:
            await asyncio.sleep(settings.PRESENCE_HEARTBEAT)  # the refresh period, not a wait for anything
            grouped: dict[int, list[str]] = defaultdict(list)
            for member, auction_id in list(self.members.items()):
                grouped[auction_id].append(member)
            if not grouped:
                return
            try:
                changed = await sync_to_async(presence_refresh, thread_sensitive=False)(
                    members=dict(grouped), now=time.time()
                )
                # A socket that left while the refresh was on its way was just added back: undo.
                for auction_id, members in grouped.items():
                    for member in members:
                        if member not in self.members:
                            changed[auction_id] = await sync_to_async(presence_leave, thread_sensitive=False)(
                                auction_id=auction_id, member=member, now=time.time()
                            )
            except RedisError:
                logger.warning("presence heartbeat failed; retrying next period", exc_info=True)
                continue
            for auction_id, count in changed.items():
                await presence_broadcast(auction_id, count)


_heartbeats: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Heartbeat] = weakref.WeakKeyDictionary()


def _heartbeat() -> _Heartbeat:
    loop = asyncio.get_running_loop()
    heartbeat = _heartbeats.get(loop)
    if heartbeat is None:
        heartbeat = _heartbeats[loop] = _Heartbeat()
    return heartbeat


async def watcher_join(auction_id: int, member: str) -> int | None:
    """A socket starts watching: counted, kept fresh by this process's heartbeat, and the new
    count broadcast. None when Redis cannot be reached (the socket still works)."""
    _heartbeat().add(member, auction_id)
    try:
        watching = await sync_to_async(presence_join, thread_sensitive=False)(
            auction_id=auction_id, member=member, now=time.time()
        )
    except RedisError:
        logger.warning("could not count a watcher of auction %s", auction_id, exc_info=True)
        return None
    _heartbeat().announce(auction_id)
    return watching


async def watcher_leave(auction_id: int, member: str) -> None:
    _heartbeat().remove(member)
    try:
        await sync_to_async(presence_leave, thread_sensitive=False)(
            auction_id=auction_id, member=member, now=time.time()
        )
    except RedisError:
        logger.warning("could not uncount a watcher of auction %s", auction_id, exc_info=True)
        return
    _heartbeat().announce(auction_id)
