"""The Redis client for everything but the channel layer (rate limits, presence, health)."""

from __future__ import annotations

import redis
from django.conf import settings

from core.clients import LazyClients


def _build(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT, socket_timeout=5, health_check_interval=30
    )


_clients: LazyClients[redis.Redis] = LazyClients(key=lambda: str(settings.REDIS_URL), build=_build)


def get_redis() -> redis.Redis:
    """The process's client for REDIS_URL."""
    return _clients.get()
