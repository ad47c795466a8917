"""Keeps the search index (and the graph) following PostgreSQL: drains the outbox whenever a
commit NOTIFYs, and at least every few seconds. Backs off while an engine is down; nothing
is lost meanwhile, the events wait in PostgreSQL. Several workers may run at once."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from core.listening import Listener
from core.stopping import StopFlag
from marketplace.outbox import Projection, RowHandler, by_entity, drain_rows, purge_processed
from marketplace.services.outbox import NOTIFY_CHANNEL

# Named, not imported: the apps that own them sit above the marketplace (ARCHITECTURE.md).
PROJECTIONS: dict[str, str] = {
    "search": "search.sync.apply_changes",
    "graph": "graph.sync.apply_changes",
}
ROW_HANDLERS: dict[str, str] = {
    "alerts": "alerts.projection.apply_events",
}
TOPICS = sorted({*PROJECTIONS, *ROW_HANDLERS})


def _named(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def load_projection(topic: str) -> Projection:
    projection: Projection = _named(PROJECTIONS[topic])  # type: ignore[assignment]
    return projection


def load_handler(topic: str) -> RowHandler:
    if topic in ROW_HANDLERS:
        handler: RowHandler = _named(ROW_HANDLERS[topic])  # type: ignore[assignment]
        return handler
    return by_entity(load_projection(topic))


class Command(BaseCommand):
    help = "Drain the outbox into the search engine, the graph and the alerts, continuously (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--topic", action="append", dest="topics", help=f"One of {TOPICS}; default all.")
        parser.add_argument(
            "--once", action="store_true", help="Drain what is pending and exit (non-zero if a batch failed)."
        )
        parser.add_argument("--poll-seconds", type=float, default=5.0)

    def handle(
        self, *args: Any, topics: list[str] | None, once: bool, poll_seconds: float, **options: Any
    ) -> None:
        topics = topics or TOPICS
        unknown = set(topics) - set(TOPICS)
        if unknown:
            raise CommandError(
                f"unknown topic(s) {', '.join(sorted(unknown))}; choose from {', '.join(TOPICS)}"
            )
        projections = {topic: load_handler(topic) for topic in topics}
        if once:
            failures = [
                f"{topic}: {result.error}"
                for topic, projection in projections.items()
                if (result := drain_rows(topic, projection)).failed
            ]
            if failures:
                raise CommandError("; ".join(failures))
            return
        self._run_forever(projections, poll_seconds)

    def _run_forever(self, projections: dict[str, RowHandler], poll_seconds: float) -> None:
        stop = StopFlag()
        backoff = dict.fromkeys(projections, 0.0)
        retry_at = dict.fromkeys(projections, 0.0)
        last_purge = 0.0
        listener = Listener(NOTIFY_CHANNEL)
        self.stdout.write(f"outbox worker draining {', '.join(projections)}")
        while not stop.requested:
            close_old_connections()
            for topic, projection in projections.items():
                if time.monotonic() < retry_at[topic]:
                    continue
                result = drain_rows(topic, projection)
                if result.processed:
                    self.stdout.write(f"{topic}: applied {result.processed} event(s)")
                if result.failed:
                    backoff[topic] = min(30.0, max(0.5, backoff[topic] * 2))
                    retry_at[topic] = time.monotonic() + backoff[topic]
                else:
                    backoff[topic] = 0.0
            if time.monotonic() - last_purge > 600:
                purge_processed()
                last_purge = time.monotonic()
            deadline = time.monotonic() + poll_seconds
            # Wait in short slices so SIGTERM is honoured within a second; a NOTIFY ends the wait at once.
            while not stop.requested and time.monotonic() < deadline:
                if listener.wait(min(1.0, deadline - time.monotonic())):
                    break
        listener.close()
        self.stdout.write("outbox worker stopped")
