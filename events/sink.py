"""Moving events to where they are kept: from the outbox table and the Redis Stream into a
`Sink` (PostgreSQL's `events_event` here; a deployment that outgrows one machine configures a
Kafka sink instead: EVENTS_SINK names the class, and nothing else changes).

Delivery is at least once, writing is idempotent on the event's id. From the stream: a batch is
read through a consumer group, written, and only then acknowledged; a sink that dies or a
PostgreSQL that restarts between the two leaves the batch pending in Redis, and the next round
reads this consumer's pending entries again before new ones (the insert skips what is already
there). From the outbox: rows are claimed with SKIP LOCKED, written and deleted in one
PostgreSQL transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils.module_loading import import_string

from core.redis import get_redis
from events.emit import counters_key
from events.sql import ensure_partitions, forget_partitions, month_of, roll_up

logger = logging.getLogger(__name__)

GROUP = "sink"
COLUMNS = (
    "event_id",
    "event_time",
    "name",
    "version",
    "actor_user_id",
    "visitor_id",
    "session_id",
    "payload",
)


class Sink(Protocol):
    def write(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Keep every event; an event already kept (same id) is skipped. Returns how many were new."""
        ...


class PostgresSink:
    """COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING into the
    partitioned table: COPY's speed with an idempotent write."""

    def write(self, events: Sequence[Mapping[str, Any]]) -> int:
        if not events:
            return 0
        months = {month_of(datetime.fromisoformat(event["event_time"])) for event in events}
        ensure_partitions(months)
        try:
            return self._insert(events)
        except DatabaseError as error:  # a partition this process thought was there is not
            if "no partition" not in str(error):
                raise
            forget_partitions()
            ensure_partitions(months)
            return self._insert(events)

    def _insert(self, events: Sequence[Mapping[str, Any]]) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS events_incoming "
                "(LIKE events_event INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            with cursor.copy(f"COPY events_incoming ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for event in events:
                    copy.write_row(
                        [*(event[column] for column in COLUMNS[:-1]), json.dumps(event["payload"])]
                    )
            cursor.execute(
                f"INSERT INTO events_event ({', '.join(COLUMNS)}) "  # noqa: S608 (constants)
                f"SELECT {', '.join(COLUMNS)} FROM events_incoming ON CONFLICT DO NOTHING"
            )
            inserted = int(cursor.rowcount)
            roll_up(cursor, "events_incoming")  # the staff page's funnel, kept per day and person
            return inserted


def get_sink() -> Sink:
    sink: Sink = import_string(settings.EVENTS_SINK)()
    return sink


def ensure_group() -> None:
    try:
        get_redis().xgroup_create(settings.EVENTS_STREAM, GROUP, id="0", mkstream=True)
    except Exception as error:  # the group exists already
        if "BUSYGROUP" not in str(error):
            raise


def drain_stream(sink: Sink, *, consumer: str, count: int = 2000, block_ms: int | None = None) -> int:
    """One batch: this consumer's pending entries first (a batch a crash or an error left
    unacknowledged), else new ones (waiting up to `block_ms`). Returns how many were sunk."""
    redis = get_redis()
    stream = settings.EVENTS_STREAM
    answer: Any = redis.xreadgroup(GROUP, consumer, {stream: "0"}, count=count)  # RESP2: [[stream, entries]]
    entries: list[tuple[bytes, dict[bytes, bytes] | None]] = answer[0][1] if answer else []
    if not entries:
        answer = redis.xreadgroup(GROUP, consumer, {stream: ">"}, count=count, block=block_ms)
        entries = answer[0][1] if answer else []
    if not entries:
        return 0
    ids: list[bytes] = []
    events: list[dict[str, Any]] = []
    broken = 0
    for entry_id, fields in entries:
        ids.append(entry_id)
        try:
            events.append(json.loads(fields[b"e"]))  # type: ignore[index]
        except (TypeError, KeyError, ValueError):  # trimmed away while pending, or not an event
            broken += 1
    written = sink.write(events)
    with redis.pipeline(transaction=False) as pipe:
        pipe.xack(stream, GROUP, *ids)
        pipe.hincrby(counters_key(), "sunk", written)
        if broken:
            pipe.hincrby(counters_key(), "rejected_at_sink", broken)
        pipe.execute()
    return len(events)


def reclaim(consumer: str, *, idle_ms: int = 60_000, count: int = 2000) -> int:
    """Take over what a consumer that died left pending for longer than `idle_ms`."""
    claimed: Any = get_redis().xautoclaim(
        settings.EVENTS_STREAM, GROUP, consumer, idle_ms, count=count, justid=True
    )  # with justid, redis-py answers the claimed ids alone
    return len(claimed)


def drain_outbox(sink: Sink, *, batch: int = 2000) -> int:
    """One batch of the outbox, written and deleted in one transaction. Returns how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, event FROM events_outbox ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED", [batch]
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        events = [event if isinstance(event, dict) else json.loads(event) for _, event in rows]
        written = sink.write(events)
        cursor.execute("DELETE FROM events_outbox WHERE id = ANY(%s)", [[row_id for row_id, _ in rows]])
    get_redis().hincrby(counters_key(), "sunk", written)
    return len(rows)


def status() -> dict[str, int]:
    """What monitoring reads: the stream's length, entries not yet read by the sink, entries
    read but not acknowledged, and the outbox's backlog."""
    redis = get_redis()
    stream = settings.EVENTS_STREAM
    length = int(redis.xlen(stream))
    groups = (
        {g["name"].decode(): g for g in redis.xinfo_groups(stream)} if length or redis.exists(stream) else {}
    )
    group = groups.get(GROUP, {})
    lag = group.get("lag")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_outbox")
        (outbox,) = cursor.fetchone()
    return {
        "stream_length": length,
        "stream_lag": int(lag) if lag is not None else length,
        "stream_pending": int(group.get("pending", 0)),
        "outbox_backlog": int(outbox),
    }
