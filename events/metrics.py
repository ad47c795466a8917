"""`/metrics`: the events in flight for Prometheus. Emitted, rejected (at the producer and at
the sink) and sunk events, the stream's length, what the sink has not read yet (its lag) and
has read but not acknowledged, and the outbox's backlog; read from Redis and PostgreSQL at
each scrape, so every server process answers the same figures.

Open to the loopback interface and to a scraper that sends `Authorization: Bearer
<METRICS_TOKEN>` (when the setting is not empty); anyone else gets a 404."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from events.emit import counters
from events.sink import status

LOOPBACK = {"127.0.0.1", "::1"}


class EventsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        counted = counters()
        emitted = CounterMetricFamily(
            "marketplace_events_emitted", "Events sent by producers", labels=["event"]
        )
        rejected = CounterMetricFamily(
            "marketplace_events_rejected",
            "Events refused for breaking their contract",
            labels=["event", "where"],
        )
        for key, value in sorted(counted.items()):
            kind, _, name = key.partition(":")
            if kind == "emitted":
                emitted.add_metric([name], value)
            elif kind == "rejected":
                rejected.add_metric([name, "producer"], value)
        rejected.add_metric(["", "sink"], counted.get("rejected_at_sink", 0))
        yield emitted
        yield rejected
        yield CounterMetricFamily(
            "marketplace_events_sunk", "Events the sink kept", value=counted.get("sunk", 0)
        )
        figures = status()
        for key, help_text in (
            ("stream_length", "Entries in the request events' stream"),
            ("stream_lag", "Stream entries the sink has not read yet"),
            ("stream_pending", "Stream entries read by the sink and not yet acknowledged"),
            ("outbox_backlog", "Business events waiting in the outbox"),
        ):
            yield GaugeMetricFamily(f"marketplace_events_{key}", help_text, value=figures[key])


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    allowed = request.META.get("REMOTE_ADDR") in LOOPBACK or (
        bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    )
    if not allowed:
        raise Http404
    registry = CollectorRegistry()
    registry.register(EventsCollector())
    return HttpResponse(generate_latest(registry), content_type="text/plain; version=0.0.4; charset=utf-8")
