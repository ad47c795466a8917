"""WebSocket `/ws/auctions/<id>/`: messages are JSON `{"event", "payload"}`.

On join the client gets a `snapshot` (state, last seq and how many are watching); with `?seq=N`
it then receives every bid after N, in order, and the `auction_ended` event if the auction
closed meanwhile, so a reconnecting client misses nothing. Then live
events arrive from the auction's channel-layer group (shared by every server process through
Redis), in seq order and without duplicates: the socket remembers the last seq it sent, drops
what it already sent, and fills a gap (an event published by another process overtook an
earlier one, or was lost with a killed process) from PostgreSQL before sending the newer event.

The client may bid with `{"action": "bid", "amount", "max_amount"?, "key"}`; it gets the same
replies as the REST API. Malformed messages get an `error` reply and the socket stays open.
When the server stops (SIGTERM) the socket finishes an in-flight bid, sends
`{"event": "reconnect", "payload": {"reason": "server_restart", "seq"}}` and closes with 1012.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from auctions.broadcast import group_name
from auctions.models import Auction
from auctions.presence import watcher_join, watcher_leave
from auctions.selectors import auction_ended_message, auction_snapshot, bids_since
from auctions.services import bid_place
from config.draining import socket_register, socket_unregister
from config.errors import DomainError

SERVICE_RESTART = 1012
# channels-redis takes one Redis connection per command in flight from a pool of 100 and fails
# past it: a crowd of sockets joining or leaving at once (thousands after a deploy) waits its
# turn here instead of failing.
GROUP_COMMANDS_IN_FLIGHT = 50
_group_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _group_gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _group_gates.get(loop)
    if gate is None:
        gate = _group_gates[loop] = asyncio.Semaphore(GROUP_COMMANDS_IN_FLIGHT)
    return gate


class AuctionConsumer(AsyncWebsocketConsumer):
    auction_id: int
    group: str
    seq: int
    busy: asyncio.Lock
    draining: bool = False
    watching: bool = False

    async def connect(self) -> None:
        self.auction_id = int(self.scope["url_route"]["kwargs"]["auction_id"])
        self.group = group_name(self.auction_id)
        # Listen before reading the snapshot: a bid committed in between then arrives live
        # (and is dropped as already seen) instead of falling into a gap.
        async with _group_gate():
            await self.channel_layer.group_add(self.group, self.channel_name)
        snapshot = await self._snapshot()
        if snapshot is None:
            async with _group_gate():
                await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.close(code=4404)
            return
        self.busy = asyncio.Lock()
        socket_register(self)
        await self.accept()
        self.watching = True
        async with _group_gate():
            snapshot["watching"] = await watcher_join(self.auction_id, self.channel_name)
        await self._send("snapshot", snapshot)
        since = self._resume_from()
        self.seq = snapshot["seq"]
        if since is not None and since < self.seq:
            self.seq = since
            await self._replay(before=None)
            ended = await database_sync_to_async(auction_ended_message)(self.auction_id)
            if (
                ended is not None and ended["payload"]["seq"] > self.seq
            ):  # it closed while the client was away
                await self.send(text_data=json.dumps(ended))
            self.seq = max(self.seq, snapshot["seq"])

    async def disconnect(self, code: int) -> None:
        socket_unregister(self)
        async with _group_gate():
            if hasattr(self, "group"):
                await self.channel_layer.group_discard(self.group, self.channel_name)
            if self.watching:
                self.watching = False
                await watcher_leave(self.auction_id, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        async with self.busy:
            if self.draining:  # told to reconnect: the client retries the same key elsewhere
                return
            try:
                message = json.loads(text_data or "")
                if not isinstance(message, dict) or message.get("action") != "bid":
                    raise ValueError('expected {"action": "bid", "amount": …, "key": …}')
            except ValueError as error:
                await self._send("error", {"code": "malformed", "message": str(error)})
                return
            await self._send(*await self._bid(message))

    async def drain(self) -> None:
        async with self.busy:  # an in-flight bid gets its reply first
            self.draining = True
            await self._send("reconnect", {"reason": "server_restart", "seq": self.seq})
            await self.close(code=SERVICE_RESTART)

    async def auction_event(self, event: dict[str, Any]) -> None:
        message = event["message"]
        seq = message["payload"].get("seq")
        if self.draining:
            return
        if seq is not None:
            if seq <= self.seq:
                return
            if seq > self.seq + 1:
                await self._replay(before=seq)
            self.seq = seq
        await self.send(text_data=json.dumps(message))

    async def _replay(self, *, before: int | None) -> None:
        """Send the bids after self.seq (and before `before`) from PostgreSQL, in order."""
        for bid in await database_sync_to_async(bids_since)(self.auction_id, self.seq):
            if before is not None and bid["seq"] >= before:
                break
            await self._send(
                "new_bid",
                {"auctionId": self.auction_id, "seq": bid["seq"], "highestBid": bid, "replayed": True},
            )
            self.seq = bid["seq"]

    async def _send(self, event: str, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"event": event, "payload": payload}))

    def _resume_from(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("seq")
        try:
            return max(0, int(values[0])) if values else None
        except ValueError:
            return None

    @database_sync_to_async
    def _snapshot(self) -> dict[str, Any] | None:
        auction = Auction.objects.filter(pk=self.auction_id).first()
        return auction_snapshot(auction) if auction else None

    @database_sync_to_async
    def _bid(self, message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        user = self.scope.get("user")
        key = message.get("key")
        if not isinstance(key, str) or not key:
            return "error", {"code": "idempotency_key_required", "message": 'Each bid needs a unique "key".'}
        try:
            placed = bid_place(
                auction_id=self.auction_id,
                bidder=user if user and user.is_authenticated else None,
                amount=message.get("amount"),
                max_amount=message.get("max_amount"),
                idempotency_key=key,
            )
        except DomainError as error:
            return "error", {"code": error.code, "message": error.message, "key": key}
        return "bid_accepted", {
            "key": key,
            "replayed": placed.replayed,
            "seqs": [event.seq for event in placed.events],
        }
