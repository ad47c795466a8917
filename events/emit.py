"""Emitting an event: the envelope, the payload's check against its contract, and its road.

An event tied to a business write (`x-delivery: outbox`) is a row of `events_outbox` inserted
in the write's transaction: committed with it or not at all; the sink moves it on. A request
event (`stream`: searches, views, clicks) is one XADD to a Redis Stream of bounded length,
which the sink drains in batches. Either way the payload is checked against its contract here,
at the producer: a malformed event is counted as rejected and logged (raised where
EVENTS_STRICT is set, as in the tests), never sent.

The envelope: the event's id (a UUIDv7, ordered by time), its time, name and version, and who
did it: the signed-in user's id, the visitor's id (a first-party cookie) and the visit's
session id (a cookie that ends with the browser session), read from the request being served
(`EventContextMiddleware`) unless the producer is given an `Actor`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from core.api.errors import is_api_path
from core.money import Money
from core.redis import get_redis
from events.contract import Contract, load_contracts

logger = logging.getLogger(__name__)

CONTRACTS: dict[str, Contract] = load_contracts()
VISITOR_COOKIE = "visitor"
SESSION_COOKIE = "visit"
VISITOR_AGE = 365 * 24 * 3600


def counters_key() -> str:
    """The counters beside the stream, in its hash slot (a Redis Cluster runs the stream's
    script only on keys of one slot: name the stream with a hash tag, such as `{events}`)."""
    return f"{settings.EVENTS_STREAM}:counters"


_request: ContextVar[HttpRequest | None] = ContextVar("events_request", default=None)


class EventRejectedError(ValueError):
    """A payload that breaks its event's contract (raised only where EVENTS_STRICT is set)."""


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    visitor_id: str | None = None
    session_id: str | None = None


def current_actor() -> Actor:
    """Who is acting in the request being served; nobody outside a request."""
    request = _request.get()
    if request is None:
        return Actor()
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    return Actor(user_id, getattr(request, "visitor_id", None), getattr(request, "visit_id", None))


def acting(user_id: int | None) -> Actor:
    """The given user, on the visit of the request being served (if any)."""
    here = current_actor()
    return Actor(user_id, here.visitor_id, here.session_id)


class EventContextMiddleware:
    """Gives every request a visitor id and a visit id (first-party cookies, set when missing)
    and makes the request the producers' context."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        visitor, visit = _cookie_id(request, VISITOR_COOKIE), _cookie_id(request, SESSION_COOKIE)
        visitor_id, visit_id = visitor or _new_id(), visit or _new_id()
        request.visitor_id = visitor_id  # type: ignore[attr-defined]
        request.visit_id = visit_id  # type: ignore[attr-defined]
        token = _request.set(request)
        try:
            response: HttpResponse = self.get_response(request)
        finally:
            _request.reset(token)
        # only on pages: API clients are known by their token, and a Set-Cookie on a stylesheet
        # or a photo would keep a CDN from caching it
        if response.get("Content-Type", "").startswith("text/html") and not is_api_path(request.path):
            secure = request.is_secure()
            if visitor is None:
                response.set_cookie(
                    VISITOR_COOKIE,
                    visitor_id,
                    max_age=VISITOR_AGE,
                    samesite="Lax",
                    httponly=True,
                    secure=secure,
                )
            if visit is None:
                response.set_cookie(SESSION_COOKIE, visit_id, samesite="Lax", httponly=True, secure=secure)
        return response


def _cookie_id(request: HttpRequest, name: str) -> str | None:
    value = request.COOKIES.get(name, "")
    return (
        value
        if 16 <= len(value) <= 32 and value.isascii() and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


def _new_id() -> str:
    return secrets.token_urlsafe(16)


def uuid7() -> UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then random bits (RFC 9562), so ids
    sort by time and the sink's index takes them at its right edge."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant
    return UUID(int=value)


def as_json(value: Any) -> Any:
    """A producer's argument as its payload's JSON value; anything else is left for the check."""
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, datetime):  # in UTC: RFC 3339 has no offsets in seconds (LMT)
        return value.astimezone(UTC).isoformat() if value.tzinfo is not None else value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def emit(name: str, payload: dict[str, Any], *, actor: Actor | None = None) -> UUID | None:
    contract = CONTRACTS[name]
    problems = contract.problems(payload)
    if problems:
        _count("rejected", name)
        logger.error("event %s rejected at the producer: %s", name, "; ".join(problems))
        if settings.EVENTS_STRICT:
            raise EventRejectedError(f"{name}: {'; '.join(problems)}")
        return None
    event = _envelope(contract, payload, datetime.now(UTC), actor if actor is not None else current_actor())
    if contract.delivery == "outbox":
        _to_outbox(name, event)
    else:
        _to_stream(name, event)
    return UUID(event["event_id"])


def _envelope(contract: Contract, payload: dict[str, Any], at: datetime, who: Actor) -> dict[str, Any]:
    return {
        "event_id": str(uuid7()),
        "event_time": at.isoformat(),
        "name": contract.name,
        "version": contract.version,
        "actor_user_id": who.user_id,
        "visitor_id": who.visitor_id,
        "session_id": who.session_id,
        "payload": payload,
    }


def past_event(name: str, payload: dict[str, Any], *, at: datetime, actor: Actor) -> dict[str, Any]:
    """An event that happened at `at`, as the sink writes it, for demo data and tests (the
    producers stamp the present). Its payload is held to its contract all the same."""
    contract = CONTRACTS[name]
    if problems := contract.problems(payload):
        raise EventRejectedError(f"{name}: {'; '.join(problems)}")
    return _envelope(contract, payload, at, actor)


def _to_outbox(name: str, event: dict[str, Any]) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"{name} is committed with a business write: emit it inside the write's transaction"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO events_outbox (event) VALUES (%s)", [json.dumps(event, separators=(",", ":"))]
        )
    # counted when the write commits: a rolled-back write emitted nothing
    connection.on_commit(lambda: _count("emitted", name))


# XADD and its count in one round trip (a pipeline costs redis-py more Python than the trip)
XADD_COUNTED = """
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
return redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
"""


@cache
def _xadd_counted() -> Any:
    """The script (its SHA, loaded on first use); run on the client of the moment."""
    return get_redis().register_script(XADD_COUNTED)


def _to_stream(name: str, event: dict[str, Any]) -> None:
    try:
        _xadd_counted()(
            keys=[settings.EVENTS_STREAM, counters_key()],
            args=[settings.EVENTS_STREAM_MAXLEN, json.dumps(event, separators=(",", ":")), f"emitted:{name}"],
            client=get_redis(),
        )
    except Exception:  # a request event is not worth failing the buyer's request for
        logger.exception("event %s could not reach the stream", name)
        if settings.EVENTS_STRICT:
            raise


def _count(what: str, name: str) -> None:
    try:
        get_redis().hincrby(counters_key(), f"{what}:{name}", 1)
    except Exception:
        logger.exception("could not count a %s event", what)


def counters() -> dict[str, int]:
    """emitted:<name>, rejected:<name>, sunk… as Redis holds them."""
    raw: Mapping[bytes, bytes] = get_redis().hgetall(counters_key())  # type: ignore[assignment]
    return {key.decode(): int(value) for key, value in raw.items()}


__all__ = [
    "Actor",
    "EventContextMiddleware",
    "EventRejectedError",
    "acting",
    "as_json",
    "counters",
    "counters_key",
    "current_actor",
    "emit",
    "past_event",
    "uuid7",
]
