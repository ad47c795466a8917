"""WebSocket `/ws/auctions/<id>/`: messages are JSON `{"event", "payload"}`.

On join the client gets a `snapshot` (state and last seq); with `?seq=N` it first receives
every bid after N, in order, so a reconnecting client misses nothing. Then live events arrive
from the auction's channel-layer group (shared by every server process through Redis). The
client may bid with `{"action": "bid", "amount", "max_amount"?, "key"}`; it gets the same
replies as the REST API. Malformed messages get an `error` reply and the socket stays open.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from auctions.broadcast import group_name
from auctions.models import Auction
from auctions.selectors import auction_snapshot, bids_since
from auctions.services import bid_place
from config.errors import DomainError


class AuctionConsumer(AsyncWebsocketConsumer):
    auction_id: int
    group: str

    async def connect(self) -> None:
        self.auction_id = int(self.scope["url_route"]["kwargs"]["auction_id"])
        snapshot = await self._snapshot()
        if snapshot is None:
            await self.close(code=4404)
            return
        self.group = group_name(self.auction_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send("snapshot", snapshot)
        since = self._resume_from()
        if since is not None:
            for bid in await database_sync_to_async(bids_since)(self.auction_id, since):
                await self._send("new_bid", {"auctionId": self.auction_id, "seq": bid["seq"], "highestBid": bid, "replayed": True})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
            if not isinstance(message, dict) or message.get("action") != "bid":
                raise ValueError("expected {\"action\": \"bid\", \"amount\": …, \"key\": …}")
        except ValueError as error:
            await self._send("error", {"code": "malformed", "message": str(error)})
            return
        await self._send(*await self._bid(message))

    async def auction_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event["message"]))

    async def _send(self, event: str, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"event": event, "payload": payload}))

    def _resume_from(self) -> int | None:
        from urllib.parse import parse_qs

        values = parse_qs(self.scope.get("query_string", b"").decode()).get("seq")
        try:
            return int(values[0]) if values else None
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
            return "error", {"code": "idempotency_key_required", "message": "Each bid needs a unique \"key\"."}
        try:
            placed = bid_place(auction_id=self.auction_id, bidder=user if user and user.is_authenticated else None,
                               amount=message.get("amount"), max_amount=message.get("max_amount"), idempotency_key=key)
        except DomainError as error:
            return "error", {"code": error.code, "message": error.message, "key": key}
        return "bid_accepted", {"key": key, "replayed": placed.replayed, "seqs": [event.seq for event in placed.events]}
