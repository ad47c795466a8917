"""The Redis client for everything but the channel layer (rate limits, presence, health).

One client per URL, built lazily: overriding REDIS_URL (a test, a management command pointed
elsewhere) gets its own client instead of silently reusing the old one."""

from __future__ import annotations

import threading

import redis
from django.conf import settings

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def get_redis() -> redis.Redis:
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                client = redis.Redis.from_url(
                    url,
                    socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT,
                    socket_timeout=5,
                    health_check_interval=30,
                )
                _clients[url] = client
    return client
