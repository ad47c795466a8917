"""Keeps every event: drains the events' outbox and the Redis Stream of request events into the
sink (EVENTS_SINK), continuously (or --once). Several sinks may run at once, each a consumer
of the stream's group (named by host and process); one that dies leaves its batch pending, and
the others take it over after a minute. While PostgreSQL is down the events wait in Redis and
in the outbox; the sink backs off and resumes."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from core.stopping import StopFlag
from events import common_queries
from events.sink import drain_outbox, drain_stream, ensure_group, get_sink, reclaim
from events.sql import create_views


class Command(BaseCommand):
    help = "Drain the events' outbox and stream into the event store, continuously (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Drain what is waiting and exit.")
        parser.add_argument("--batch", type=int, default=2000, help="Events per batch (1-10000).")
        parser.add_argument("--consumer", default=f"{socket.gethostname()}-{os.getpid()}")

    def handle(self, *args: Any, once: bool, batch: int, consumer: str, **options: Any) -> None:
        batch = max(1, min(batch, 10_000))
        sink = get_sink()
        ensure_group()
        create_views()
        if once:
            total = 0
            while moved := drain_outbox(sink, batch=batch) + drain_stream(
                sink, consumer=consumer, count=batch
            ):
                total += moved
            common_queries.refresh(now=timezone.now())
            self.stdout.write(f"sank {total} event(s)")
            return
        stop = StopFlag()
        backoff = 0.0
        last_claim = 0.0
        last_common = 0.0
        sunk = 0
        last_report = time.monotonic()
        self.stdout.write(f"events sink {consumer} draining")
        while not stop.requested:
            try:
                close_old_connections()
                if time.monotonic() - last_claim > 30:
                    reclaim(consumer)
                    last_claim = time.monotonic()
                if time.monotonic() - last_common > common_queries.REFRESH_SECONDS:
                    common_queries.refresh(now=timezone.now())  # the search box's whole queries
                    last_common = time.monotonic()
                sunk += drain_outbox(sink, batch=batch)
                sunk += drain_stream(sink, consumer=consumer, count=batch, block_ms=500)
                backoff = 0.0
            except Exception as error:  # PostgreSQL or Redis away: wait, nothing is lost
                backoff = min(10.0, max(0.5, backoff * 2))
                self.stderr.write(
                    f"events sink: {' '.join(str(error).split())[:200]}; retrying in {backoff:.1f} s"
                )
                close_old_connections()
                time.sleep(backoff)
            if time.monotonic() - last_report >= 60 and sunk:
                self.stdout.write(f"sank {sunk} event(s) in the last minute")
                sunk, last_report = 0, time.monotonic()
        self.stdout.write("events sink stopped")
