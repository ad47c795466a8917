"""WebSocket `/ws/auctions/<id>/`: messages are JSON `{"event", "payload"}`.

On join the client gets a `snapshot` (state, last seq and how many are watching); with `?seq=N`
it then receives every event after N from the auction's event log, in order (bids,
extensions and the end alike, each marked `"replayed": true`), so a reconnecting client
misses nothing. Then live
events arrive from the auction's channel-layer group (shared by every server process through
Redis), in seq order and without duplicates: the socket remembers the last seq it sent, drops
what it already sent, and fills a gap (an event published by another process overtook an
earlier one, or was lost with a killed process) from PostgreSQL before sending the newer event.

The client may bid with `{"action": "bid", "amount": <money>, "max_amount"?: <money>, "key"}`
(amounts in the one money shape, core/money.py); the same BidInput validates it as the REST
API's body. Malformed messages get an `error` reply and the socket stays open.
When the server stops (SIGTERM) the socket finishes an in-flight bid, sends
`{"event": "reconnect", "payload": {"reason": "server_restart", "seq"}}` and closes with 1012.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import weakref
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from rest_framework.exceptions import ParseError

from auctions.bidqueue import bid_submit
from auctions.broadcast import group_name
from auctions.hub import HubEvent, auction_hub
from auctions.models import Auction
from auctions.presence import watcher_join, watcher_leave
from auctions.selectors import REPLAY_PAGE, auction_snapshot, events_since
from auctions.serializers import BidInput, IdempotencyKey
from auctions.services import BidSubmission
from core.api.errors import flat_errors
from core.api.parsers import check_structure
from core.draining import socket_register, socket_unregister
from core.eager import start_eagerly
from core.errors import DomainError

logger = logging.getLogger(__name__)
SERVICE_RESTART = 1012
MAX_MESSAGE_BYTES = 4096  # a bid is a few hundred bytes
# channels-redis takes one Redis connection per command in flight from a pool of 100 and fails
# past it: a crowd of sockets joining or leaving at once (thousands after a deploy) waits its
# turn here instead of failing.
GROUP_COMMANDS_IN_FLIGHT = 50
_group_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


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
    listening: bool = False
    ready: bool = False  # the snapshot (and any resume) was sent: live events may follow
    sending: bool = False  # a send or the flush task is under way: later events queue behind it
    flusher: asyncio.Task[None] | None = None

    @property  # type: ignore[override]
    def channel_layer_alias(self) -> str:
        """With the hub, the socket needs no channel-layer channel of its own (no Redis read
        loop per process for it, nothing to fail while Redis restarts)."""
        return DEFAULT_CHANNEL_LAYER if settings.AUCTION_FANOUT == "channel_layer" else "none"

    async def connect(self) -> None:
        self.member = uuid.uuid4().hex  # this socket among the auction's watchers
        self.auction_id = int(self.scope["url_route"]["kwargs"]["auction_id"])
        self.group = group_name(self.auction_id)
        self.inbox: deque[HubEvent | None] = deque()  # None: catch up from PostgreSQL
        # Listen before reading the snapshot: a bid committed in between then arrives live
        # (and is dropped as already seen) instead of falling into a gap.
        await self._listen()
        snapshot = await self._snapshot()
        if snapshot is None:
            await self._unlisten()
            await self.close(code=4404)
            return
        self.busy = asyncio.Lock()
        socket_register(self)
        await self.accept()
        self.watching = True
        async with _group_gate():
            snapshot["watching"] = await watcher_join(self.auction_id, self.member)
        await self._send("snapshot", snapshot)
        since = self._resume_from()
        self.seq = snapshot["seq"]
        if since is not None and since < self.seq:
            self.seq = since
            await self._catch_up()
            self.seq = max(self.seq, snapshot["seq"])
        self.ready = True
        self._flush_soon()

    async def disconnect(self, code: int) -> None:
        socket_unregister(self)
        if self.flusher is not None:
            self.flusher.cancel()
        await self._unlisten()
        if self.watching:
            self.watching = False
            async with _group_gate():
                await watcher_leave(self.auction_id, self.member)

    async def _listen(self) -> None:
        self.listening = True
        if settings.AUCTION_FANOUT == "channel_layer":
            async with _group_gate():
                await self.channel_layer.group_add(self.group, self.channel_name)
        else:
            await auction_hub().join(self.auction_id, self)

    async def _unlisten(self) -> None:
        if not self.listening:
            return
        self.listening = False
        if settings.AUCTION_FANOUT == "channel_layer":
            async with _group_gate():
                await self.channel_layer.group_discard(self.group, self.channel_name)
        else:
            await auction_hub().leave(self.auction_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        async with self.busy:
            if self.draining:  # told to reconnect: the client retries the same key elsewhere
                return
            try:
                text = (text_data or "").encode()
                if len(text) > MAX_MESSAGE_BYTES:
                    raise ValueError(f"a message is at most {MAX_MESSAGE_BYTES} bytes")
                check_structure(text, max_depth=4, max_containers=8)
                message = json.loads(text)
                if not isinstance(message, dict) or message.get("action") != "bid":
                    raise ValueError('expected {"action": "bid", "amount": …, "key": …}')
            except (ValueError, ParseError) as error:
                await self._send("error", {"code": "malformed", "message": str(error)})
                return
            await self._send(*await self._bid(message))

    async def drain(self) -> None:
        async with self.busy:  # an in-flight bid gets its reply first
            self.draining = True
            try:
                await self._send("reconnect", {"reason": "server_restart", "seq": self.seq})
                await self.close(code=SERVICE_RESTART)
            except OSError:  # the client already left (uvicorn's ClientDisconnected): nothing to tell
                logger.debug("a socket of auction %s left before it was drained", self.auction_id)

    # --- live events, from the hub (or the channel layer). The next event in order goes out at
    # once when the socket is idle (`start_eagerly`: no task per socket); anything else (a bid
    # reply in flight, a gap to fill, a send still under way) queues for one task to send in order.

    def hub_event(self, event: HubEvent) -> None:
        if (
            self.ready
            and not self.sending
            and not self.inbox
            and not self.draining
            and not self.busy.locked()
        ):
            if event.seq is not None and event.seq <= self.seq:
                return  # already sent
            if event.seq is None or event.seq == self.seq + 1:
                self.seq = event.seq if event.seq is not None else self.seq
                try:
                    self._sending(
                        start_eagerly(self.base_send({"type": "websocket.send", "text": event.text}))
                    )
                except Exception:  # the client went away: its disconnect cleans up
                    logger.debug("could not send to a socket of auction %s", self.auction_id, exc_info=True)
                return
        self.inbox.append(event)
        self._flush_soon()

    def hub_resync(self) -> None:
        self.inbox.append(None)
        self._flush_soon()

    async def auction_event(self, event: dict[str, Any]) -> None:  # AUCTION_FANOUT="channel_layer"
        self.hub_event(HubEvent.from_message(self.auction_id, event["message"]))

    def _flush_soon(self) -> None:
        if self.ready and self.inbox and not self.sending:
            self._sending(asyncio.get_running_loop().create_task(self._flush()))

    def _sending(self, task: asyncio.Task[None] | None) -> None:
        if task is None:
            return
        self.sending, self.flusher = True, task
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self.sending = False
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not send auction %s events", self.auction_id, exc_info=task.exception())
            return
        self._flush_soon()

    async def _flush(self) -> None:
        while self.inbox and not self.draining:
            async with self.busy:  # a bid in flight on this socket gets its reply first
                await self._deliver(self.inbox.popleft())

    async def _deliver(self, event: HubEvent | None) -> None:
        if self.draining:
            return
        if event is None:
            await self._catch_up()
            return
        if event.seq is not None:
            if event.seq <= self.seq:
                return
            if event.seq > self.seq + 1:
                await self._replay(before=event.seq)
            self.seq = event.seq
        await self.send(text_data=event.text)

    async def _catch_up(self) -> None:
        """Everything after self.seq from the auction's event log."""
        await self._replay(before=None)

    async def _replay(self, *, before: int | None) -> None:
        """Send the events after self.seq (and before `before`) from the event log, in order:
        bids, extensions and the end alike."""
        while True:
            messages = await database_sync_to_async(events_since)(self.auction_id, self.seq, before=before)
            for message in messages:
                await self.send(text_data=json.dumps(message))
                self.seq = message["payload"]["seq"]
            if len(messages) < REPLAY_PAGE:
                return

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

    async def _bid(self, message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        user = self.scope.get("user")
        key = IdempotencyKey(data={"key": message.get("key")})
        if not key.is_valid():
            return "error", {"code": "idempotency_key_required", "message": 'Each bid needs a unique "key".'}
        bid = BidInput(data={name: value for name, value in message.items() if name not in ("action", "key")})
        if not bid.is_valid():
            return "error", {
                "code": "validation_error",
                "message": "The bid has invalid fields.",
                "fields": flat_errors(bid.errors),
                "key": key.validated_data["key"],
            }
        submission = BidSubmission(
            bidder=user if user is not None and user.is_authenticated else None,
            amount=bid.validated_data["amount"],
            max_amount=bid.validated_data.get("max_amount"),
            idempotency_key=key.validated_data["key"],
        )
        try:
            placed = await bid_submit(auction_id=self.auction_id, submission=submission)
        except DomainError as error:
            return "error", {"code": error.code, "message": error.message, "key": submission.idempotency_key}
        return "bid_accepted", {
            "key": submission.idempotency_key,
            "replayed": placed.replayed,
            "seqs": [event.seq for event in placed.events],
        }
