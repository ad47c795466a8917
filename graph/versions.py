"""The catalogue projections' version: a counter in Redis that the graph projection (and the
search projection, whose matches the spec facets count over) moves on after every change it
applies. Answers computed from the projections are cached under the version they were read
at (search/spec_facets.py), so a change makes every cached answer unreachable at once, in
every process, with nothing to enumerate or delete; the old entries expire by themselves.

Redis down: the bump is skipped with a warning (the projection itself has been written; an
outbox batch is not retried for a cache) and readers see version None, which means "do not
cache". Entries written before the outage live at most their TTL."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from core.redis import get_redis

KEY = "catalogue:projection-version"
logger = logging.getLogger(__name__)


def projection_version() -> int | None:
    """The current version; None when Redis cannot say (then nothing should be cached)."""
    try:
        value = get_redis().get(KEY)
    except RedisError as error:
        logger.warning("projection version unreadable: %s", error)
        return None
    return int(value) if value is not None else 0


def bump_projection_version() -> None:
    """Called after a projection applied a change: cached answers read before it are stale."""
    try:
        get_redis().incr(KEY)
    except RedisError as error:
        logger.warning("projection version not moved on (cached spec facets expire by TTL): %s", error)
