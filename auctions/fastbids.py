"""POST /api/v1/auctions/<id>/bids/ with a token, served on the event loop beside Django.

A bid is the one request a crowd sends to one auction at once. Through Django and DRF it
crossed from the event loop to a thread and back for the middleware, the view and the
authentication (CPU that capped a crowd at tens of bids a second: docs/benchmarks.md), while
the same bid on a socket costs a fraction of that. This ASGI endpoint is that socket path for HTTP: one trip
to a thread for the token and the throttle, the body read through the same `BidInput`, the bid
placed in the auction's batch with the sockets' (`auctions.bidqueue.bid_submit`), the answer
written by the same `bid_result`. The DRF view (`auctions.apis.AuctionBidApi`) documents the
operation and serves the rest: session-authenticated requests and anything not token-borne.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import ParseError

from auctions.bidqueue import bid_submit
from auctions.serializers import BidInput, IdempotencyKey
from auctions.services import BidSubmission
from core.api.errors import error_body, validation_error_body
from core.api.parsers import check_structure
from core.api.versioning import DEPRECATED_SINCE, SUNSET, successor
from core.errors import DomainError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH = re.compile(r"^/api/(?:v1/)?auctions/(?P<auction_id>[0-9]{1,18})/bids/$")


class BidEndpoint:
    def __init__(self, app: Any) -> None:  # Django's ASGIHandler, or any ASGI application
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PATH.match(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        token = _token(scope) if match else None
        if match is None or token is None:
            await self.app(scope, receive, send)
            return
        status, body, headers = await _bid(scope, receive, int(match["auction_id"]), token)
        target = successor(scope["path"])
        if target is not None:
            headers += [(b"deprecation", DEPRECATED_SINCE.encode()), (b"sunset", SUNSET.encode()),
                        (b"link", f'<{target}>; rel="successor-version"'.encode())]  # fmt: skip
        payload = json.dumps(body, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"vary", b"Accept, Authorization"),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _token(scope: Scope) -> str | None:
    """The key of an `Authorization: Token <key>` header; None when there is none."""
    authorization = _header(scope, b"authorization") or ""
    kind, _, key = authorization.partition(" ")
    return key.strip() if kind.lower() == "token" and key.strip() else None


async def _body(receive: Receive) -> bytes | None:
    """The request body (its size was capped by core.limits); None if the client left."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


TOKEN_TTL_SECONDS = 5.0  # how long a process trusts a token it has looked up
_tokens: dict[str, tuple[float, Any]] = {}
MAX_TOKENS = 10_000


def _bidder_now(key: str) -> tuple[Any, float | None]:
    """The token's user and, when their request throttle refuses this one, the seconds to
    wait; in one trip to a thread, as DRF would run TokenAuthentication and UserThrottle. A
    bidder sends many bids in a minute: the token's user is looked up once per few seconds
    (a deleted token or a deactivated user stops bidding within TOKEN_TTL_SECONDS)."""
    from rest_framework.authtoken.models import Token

    from core.throttling import UserThrottle

    now = time.monotonic()
    cached = _tokens.get(key)
    if cached is not None and now - cached[0] < TOKEN_TTL_SECONDS:
        user = cached[1]
    else:
        token = Token.objects.select_related("user").filter(key=key).first()
        user = token.user if token is not None and token.user.is_active else AnonymousUser()
        if len(_tokens) >= MAX_TOKENS:
            _tokens.clear()
        _tokens[key] = (now, user)
    if not user.is_authenticated:
        return user, None
    throttle = UserThrottle()
    if not throttle.allow_request(SimpleNamespace(user=user), None):
        return user, throttle.wait()
    return user, None


# side by side in the executor's threads, not queued on the one thread sensitive work shares
_bidder = database_sync_to_async(_bidder_now, thread_sensitive=False)


def _error(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any], list[Any]]:
    return status, error_body(code, message, fields), []


async def _bid(
    scope: Scope, receive: Receive, auction_id: int, key: str
) -> tuple[int, dict[str, Any], list[Any]]:
    from auctions.apis import bid_result

    raw = await _body(receive)
    if raw is None:
        return _error(400, "bad_request", "The client left before its body arrived.")
    bidder, wait = await _bidder(key)
    if not bidder.is_authenticated:
        status, body, headers = _error(401, "authentication_failed", "Invalid token.")
        return status, body, [*headers, (b"www-authenticate", b"Token")]
    if wait is not None:
        status, body, headers = _error(
            429, "throttled", f"Request was throttled. Expected available in {wait:.0f} seconds."
        )
        return status, body, [*headers, (b"retry-after", str(max(1, round(wait))).encode())]
    content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if not raw and not content_type:  # no body at all: as DRF reads it, an empty object
        raw, content_type = b"{}", "application/json"
    if content_type != "application/json":
        return _error(415, "unsupported_media_type", f'Unsupported media type "{content_type}" in request.')
    idempotency = IdempotencyKey(data={"key": _header(scope, b"idempotency-key") or ""})
    if not idempotency.is_valid():
        return _error(
            400,
            "idempotency_key_required",
            "Send an Idempotency-Key header with each bid: up to 200 printable characters.",
            {"Idempotency-Key": [str(message) for message in idempotency.errors["key"]]},
        )
    try:
        check_structure(raw)
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ParseError, ValueError, RecursionError) as error:
        detail = error.detail if isinstance(error, ParseError) else error
        return _error(400, "parse_error", f"JSON parse error - {detail}")
    bid = BidInput(data=data)
    if not bid.is_valid():
        return 400, validation_error_body(bid.errors), []
    submission = BidSubmission(
        bidder=bidder,
        amount=bid.validated_data["amount"],
        max_amount=bid.validated_data.get("max_amount"),
        idempotency_key=idempotency.validated_data["key"],
    )
    try:
        placed = await bid_submit(auction_id=auction_id, submission=submission)
    except DomainError as error:
        return error.status_code, error_body(error.code, error.message, error.fields), []
    return (200 if placed.replayed else 201), bid_result(placed), []


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")
