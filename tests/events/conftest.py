from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

JSONB = 3802  # PostgreSQL's type oid (Django reads jsonb as text and decodes it itself)


@pytest.fixture
def events_store() -> Iterator[None]:
    """The stream, its counters and the event table emptied before and after the test (the
    table is not a model: transactional tests' flushes leave it alone)."""
    from django.conf import settings
    from django.db import connection

    from core.redis import get_redis
    from events.emit import counters_key

    def empty() -> None:
        get_redis().delete(settings.EVENTS_STREAM, counters_key())
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE events_event, events_outbox")

    empty()
    yield
    empty()


def stored(name: str) -> list[dict[str, Any]]:
    """The events of that name the sink kept, oldest first, as the event's view shows them."""
    from django.db import connection

    from events.sql import create_views

    create_views()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM events.{name} ORDER BY event_time, event_id")  # noqa: S608
        columns = cursor.description
        return [
            {
                column.name: json.loads(value)
                if column.type_code == JSONB and isinstance(value, str)
                else value
                for column, value in zip(columns, row, strict=True)
            }
            for row in cursor.fetchall()
        ]


def sink_all() -> int:
    """Everything waiting in the outbox and the stream, into the event table."""
    from events.sink import drain_outbox, drain_stream, ensure_group, get_sink

    ensure_group()
    sink, total = get_sink(), 0
    while moved := drain_outbox(sink) + drain_stream(sink, consumer="tests"):
        total += moved
    return total


def crafted(
    name: str,
    payload: dict[str, Any],
    when: Any,
    *,
    user_id: int | None = None,
    visitor_id: str | None = None,
) -> dict[str, Any]:
    """An event as the sink receives it, at a time of the test's choosing (producers stamp
    the present); its payload is checked against the contract like a producer's."""
    from events.emit import Actor, past_event

    return past_event(name, payload, at=when, actor=Actor(user_id, visitor_id, None))
