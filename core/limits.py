"""What one HTTP request may cost a server process, enforced before Django sees it.

`RequestLimits` wraps the ASGI application:

* **Body size, per route.** A body larger than its route's cap (JSON API calls small, photo
  uploads their own) is answered 413 without being read: at once when Content-Length says so,
  or as soon as a chunked body passes the cap (the application then sees the client leave).
* **Requests in flight, per process.** Past `max_requests` requests at once the process
  answers 503 with Retry-After instead of queueing more work than it can hold: every request
  costs a thread and memory until it ends, and a process that takes everything it is sent
  runs out of memory before it runs out of work. Photo uploads, which decode images, have a
  smaller pool of their own; long-lived event streams have theirs.

After each request, the process's memory governor (core/memory.py) collects cyclic garbage
once the process has grown by a step.

The counts are the process's own (each process limits itself; a load balancer spreads the
load). `/healthz` reads them through `load()` to say when the process is saturated or stuck.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from core.memory import MemoryGovernor

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    """Requests whose path matches `pattern` may send `max_body` bytes and take a slot of `pool`."""

    pattern: re.Pattern[str]
    max_body: int
    pool: str


@dataclass
class Pool:
    slots: int
    started: dict[int, float] = field(default_factory=dict)  # request number -> monotonic start

    @property
    def busy(self) -> int:
        return len(self.started)

    def oldest_seconds(self, now: float) -> float:
        return max((now - started for started in self.started.values()), default=0.0)


@dataclass(frozen=True)
class Load:
    """A pool's state: requests in flight, its slots, and how long the oldest has been running."""

    busy: int
    slots: int
    oldest_seconds: float


def _error(
    path: str, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Message, Message]:
    """The API's JSON error body under /api/, a short page elsewhere."""
    if path.startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message, "fields": {}}}).encode()
        content_type = b"application/json"
    else:
        body = f"<!doctype html><title>{status}</title><p>{html.escape(message)}</p>".encode()
        content_type = b"text/html; charset=utf-8"
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            *(headers or []),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class RequestLimits:
    def __init__(
        self,
        app: Application,
        *,
        routes: list[Route],
        pools: dict[str, int],
        after_request: Callable[[], object] | None = None,
    ) -> None:
        """`routes` in order, the first that matches a path applies (the last should match
        every path); `pools`: slots by pool name; `after_request` runs once each has ended."""
        self.app = app
        self.routes = routes
        self.pools = {name: Pool(slots) for name, slots in pools.items()}
        self.after_request = after_request
        self._numbers = iter(range(1, 1 << 62))

    def route_for(self, path: str) -> Route:
        return next(route for route in self.routes if route.pattern.match(path))

    def load(self) -> dict[str, Load]:
        now = time.monotonic()
        return {
            name: Load(pool.busy, pool.slots, pool.oldest_seconds(now)) for name, pool in self.pools.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.route_for(scope["path"])
        length = _content_length(scope)
        if length is not None and length > route.max_body:
            await _answer(send, *_too_large(scope, route))
            return
        pool = self.pools[route.pool]
        if pool.busy >= pool.slots:
            message = "The server is at capacity; retry in a moment."
            await _answer(send, *_error(scope["path"], 503, "overloaded", message, [(b"retry-after", b"1")]))
            return
        number = next(self._numbers)
        pool.started[number] = time.monotonic()
        try:
            await self._bounded(route, scope, receive, send)
        finally:
            del pool.started[number]
            if self.after_request is not None:
                self.after_request()

    async def _bounded(self, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > route.max_body:
                    refused = True
                    await _answer(send, *_too_large(scope, route))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # once refused, the application's own answer has nowhere to go
                await send(message)

        await self.app(scope, counted_receive, guarded_send)


def _too_large(scope: Scope, route: Route) -> tuple[Message, Message]:
    return _error(
        scope["path"], 413, "body_too_large", f"The request body is larger than {route.max_body:,} bytes."
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, start: Message, body: Message) -> None:
    await send(start)
    await send(body)


_limits: RequestLimits | None = None


def request_limits(app: Application) -> RequestLimits:
    """The process's limits around `app`, from settings (REQUEST_LIMITS)."""
    from django.conf import settings

    global _limits
    routes = [
        Route(re.compile(pattern), max_body, pool) for pattern, max_body, pool in settings.REQUEST_ROUTES
    ]
    governor = MemoryGovernor(step_bytes=settings.MEMORY_COLLECT_STEP_MB * 2**20)
    _limits = RequestLimits(app, routes=routes, pools=settings.REQUEST_POOLS, after_request=governor.check)
    return _limits


def load() -> dict[str, Load]:
    """Each pool's load in this process; empty when the process serves no limited app (tests
    that call views directly)."""
    return _limits.load() if _limits is not None else {}
