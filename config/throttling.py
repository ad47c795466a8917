"""Request throttles that keep serving when Redis (where their counters live) is unreachable.

The general per-client limits protect capacity, not secrets: while Redis is down, a request
goes through unthrottled (logged) rather than failing with a 500, so buyers can still bid and
browse through a Redis restart. The login and sign-up throttle (scope "auth") is left strict:
it guards passwords, so there the request is refused with a 503 instead."""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from config.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))  # type: ignore[misc]
        except RedisError:
            logger.warning("throttle counters unavailable (Redis unreachable); request not throttled")
            return True


class AnonThrottle(_FailOpen, AnonRateThrottle):
    pass


class UserThrottle(_FailOpen, UserRateThrottle):
    pass


class StrictScopedThrottle(ScopedRateThrottle):
    """Scoped limits (login, sign-up): without their counters, refuse with a 503."""

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except RedisError as error:
            raise ServiceUnavailableError("Signing in is unavailable for a moment; please try again shortly.") from error
