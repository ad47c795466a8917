"""Request throttles: DRF's sliding windows, counted in Redis by one script call per throttle,
and kept serving when Redis is unreachable.

The window is DRF's: at most N requests in any `duration` seconds per client. DRF keeps it as
a list of timestamps in the cache, read, edited and written back (two round trips per
throttle, and a fresh connection per request under ASGI, where each request gets its own
cache object); two processes serving the same client at once both read the same history and
both let a request through. Here the window is a sorted set that one Lua script trims,
counts and extends atomically, on the process's shared Redis client (core/redis.py), with
Redis's clock: one round trip, and no process can count past the limit.

The general per-client limits protect capacity, not secrets: while Redis is down, a request
goes through unthrottled (logged) rather than failing with a 500, so buyers can still bid and
browse through a Redis restart. The login and sign-up throttle (scope "auth") is left strict:
it guards passwords, so there the request is refused with a 503 instead."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis.exceptions import RedisError
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from core.errors import ServiceUnavailableError
from core.redis import get_redis

logger = logging.getLogger(__name__)

# KEYS[1]: the client's window; ARGV: the window in ms, the limit, a unique member.
# Returns {1, 0} when the request is let through (and counted), else {0, ms until a slot frees}.
_WINDOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(0, window - (now - tonumber(oldest[2])))}
"""


class RedisWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's window and cache keys, counted by `_WINDOW` in Redis."""

    _wait_ms = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        arguments = [self.duration * 1000, self.num_requests, uuid.uuid4().hex]  # type: ignore[attr-defined]
        # called by its digest (EVALSHA), loaded once per Redis server
        window = get_redis().register_script(_WINDOW)
        allowed, self._wait_ms = window(keys=[f"throttle:{self.key}"], args=arguments)
        return bool(allowed)

    def wait(self) -> float:
        return self._wait_ms / 1000


class _FailOpen(RedisWindowThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("throttle counters unavailable (Redis unreachable); request not throttled")
            return True


class AnonThrottle(_FailOpen, AnonRateThrottle):
    pass


class UserThrottle(_FailOpen, UserRateThrottle):
    """Signed-in callers, by user. DRF's would also count anonymous callers by address, in a
    second window beside AnonThrottle's: one more Redis round trip on every anonymous request
    for a limit that AnonThrottle's stricter one reaches first."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class StrictScopedThrottle(ScopedRateThrottle, RedisWindowThrottle):
    """Scoped limits (login, sign-up): without their counters, refuse with a 503. (The scope
    sets the rate when the view is known, then the window counts.)"""

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError as error:
            raise ServiceUnavailableError(
                "Signing in is unavailable for a moment; please try again shortly."
            ) from error
