"""A minimal socket that proves the WebSocket path (ASGI server, origin check, channel layer)
works end to end; the auction consumers live in auctions/consumers.py."""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer


class PingConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message: Any = json.loads(text_data or "")
        except json.JSONDecodeError:
            await self.send(
                json.dumps(
                    {"event": "error", "payload": {"code": "malformed", "message": "Messages must be JSON."}}
                )
            )
            return
        await self.send(json.dumps({"event": "pong", "payload": message}))
