"""A minimal WebSocket client for holding thousands of watcher sockets in one benchmark process.

A full client library spends tens of microseconds of Python per received message; with 5,000
sockets on this machine's two cores that would measure the client, not the server. This one
does the RFC 6455 opening handshake, reads unmasked server frames (text, binary, ping, close)
straight from the transport, answers pings and sends small text messages; a received message is handed to a callback as
bytes, with no decoding. It is a benchmark tool: no fragmentation, no extensions, no TLS."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame, as clients must send (payloads under 64 KiB)."""
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    length = (
        bytes([0x80 | len(payload)])
        if len(payload) < 126
        else bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    )
    return bytes([0x80 | opcode]) + length + mask + masked


class WatcherProtocol(asyncio.Protocol):
    def __init__(self, request: bytes, on_message: Callable[[bytes], None]) -> None:
        self.request = request
        self.on_message = on_message
        self.buffer = bytearray()
        self.upgraded = False
        self.first_message: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: Any = None  # asyncio's or uvloop's transport (not an asyncio.Transport subclass)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.first_message.done():
            self.first_message.set_exception(ConnectionError("closed before the first message"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[: self.buffer.find(b"\r\n")])
            if b" 101 " not in status:
                self.first_message.set_exception(ConnectionError(status.decode(errors="replace")))
                assert self.transport is not None
                self.transport.close()
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode in (TEXT, BINARY):
                if not self.first_message.done():
                    self.first_message.set_result(payload)
                else:
                    self.on_message(payload)
            elif opcode == PING and self.transport is not None:
                self.transport.write(_client_frame(PONG, payload))
            elif opcode == CLOSE and self.transport is not None:
                self.transport.close()

    def send_text(self, text: str) -> None:
        assert self.transport is not None
        self.transport.write(_client_frame(TEXT, text.encode()))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_client_frame(CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()


async def connect(
    url: str, origin: str, on_message: Callable[[bytes], None]
) -> tuple[WatcherProtocol, bytes]:
    """Open a socket to `url` (ws://host:port/path); returns it with its first message."""
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(
        lambda: WatcherProtocol(request, on_message), parts.hostname or "127.0.0.1", parts.port or 80
    )
    return protocol, await protocol.first_message
