"""The sink keeps every valid event once: batches written idempotently, what a dead consumer
left pending taken over, and nothing lost or doubled across a PostgreSQL restart."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from core.redis import get_redis
from events import producers
from events.emit import counters
from events.sink import GROUP, drain_stream, ensure_group, get_sink, reclaim, status
from tests.conftest import manage_py_process
from tests.events.conftest import sink_all

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("events_store")


def kept_ids() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT event_id::text FROM events_event")
        return [row[0] for row in cursor.fetchall()]


def stream_entries() -> list[tuple[bytes, dict[bytes, bytes]]]:
    entries: Any = get_redis().xrange(settings.EVENTS_STREAM)
    return list(entries)


@pytest.mark.django_db
def test_writing_a_batch_twice_keeps_each_event_once() -> None:
    ids = {str(producers.buyer_viewed_machine(machine_id=n)) for n in range(1, 6)}
    events = [__import__("json").loads(fields[b"e"]) for _, fields in stream_entries()]
    sink = get_sink()
    assert sink.write(events) == 5
    assert sink.write(events) == 0
    assert sink.write(events[:2] + events) == 0
    assert sorted(kept_ids()) == sorted(ids)


@pytest.mark.django_db
def test_a_batch_a_dead_consumer_read_is_taken_over_and_kept_once() -> None:
    ids = {str(producers.buyer_viewed_machine(machine_id=n)) for n in range(1, 8)}
    ensure_group()
    # a consumer reads a batch and dies before writing and acknowledging it
    get_redis().xreadgroup(GROUP, "dead", {settings.EVENTS_STREAM: ">"}, count=100)
    sink = get_sink()
    assert drain_stream(sink, consumer="alive") == 0  # nothing new: the batch is the dead one's
    assert status()["stream_pending"] == 7
    assert reclaim("alive", idle_ms=0) == 7
    assert drain_stream(sink, consumer="alive") == 7
    assert sorted(kept_ids()) == sorted(ids)
    assert status()["stream_pending"] == 0
    assert counters()["sunk"] == 7


@pytest.mark.django_db
def test_an_entry_that_is_not_an_event_is_counted_and_acknowledged() -> None:
    ensure_group()
    get_redis().xadd(settings.EVENTS_STREAM, {"e": "{not json"})
    producers.buyer_viewed_machine(machine_id=3)
    assert sink_all() == 1
    assert counters()["rejected_at_sink"] == 1
    assert status()["stream_pending"] == 0


def stack(*args: str) -> None:
    subprocess.run([str(ROOT / "ops" / "stack.sh"), *args], check=True, timeout=180, capture_output=True)


def count_kept() -> int:
    connection.close()  # the server may have restarted under this connection
    return len(kept_ids())


def wait_for(expected: int, sink: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while count_kept() < expected:
        assert sink.poll() is None, sink.stdout.read() if sink.stdout else ""
        assert time.monotonic() < deadline, f"the sink kept {count_kept()} of {expected} events"
        time.sleep(0.2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_sink_process_keeps_every_event_once_across_a_postgresql_restart() -> None:
    sink = manage_py_process("events_sink", "--batch", "50", "--consumer", "restart-test")
    try:
        emitted = [str(producers.buyer_viewed_machine(machine_id=n)) for n in range(1, 201)]
        wait_for(200, sink)
        stack("stop", "postgres")
        try:
            # the site keeps emitting while the database is away: the events wait in Redis
            emitted += [str(producers.buyer_viewed_machine(machine_id=n)) for n in range(201, 501)]
        finally:
            stack("start", "postgres")
        wait_for(500, sink)
    finally:
        sink.send_signal(signal.SIGTERM)
        output, _ = sink.communicate(timeout=60)
    kept = kept_ids()
    assert len(kept) == 500
    assert sorted(kept) == sorted(emitted)
    assert sink.returncode == 0, output
    assert "events sink stopped" in output
