"""The Redis client for everything but the channel layer (rate limits, presence, health)."""

from __future__ import annotations

import threading

import redis
from django.conf import settings

_lock = threading.Lock()
_client: redis.Redis | None = None


def get_redis() -> redis.Redis:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = redis.Redis.from_url(
                    settings.REDIS_URL,
                    socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT,
                    socket_timeout=5,
                    health_check_interval=30,
                )
    return _client
