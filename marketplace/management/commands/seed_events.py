"""`manage.py seed_events [--visitors N] [--days D] [--seed S]`: a month of buyers' searches,
clicks and views over the demo catalogue, so the seller dashboard and the staff analytics page
show something on a first `make run`. Each event is held to its contract and written as the
sink writes events (idempotent on its id). What buyers wrote (watches, enquiries, bids) is not
invented here: the services emitted those events when the demo data was made."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from events.emit import Actor, past_event
from events.sink import get_sink
from marketplace.models import Machine, MachineStatus

LANGUAGES = ("en", "en", "en", "ja", "ja", "de", "fr", "zh")
NOTHING_FOUND = ("cat 3299x", "hitachi zx9000", "kubota u-800", "liebher r9800b", "komatsu pc9999")
BATCH = 5000


class Command(BaseCommand):
    help = "Write a month of demo search, click and view events over the published listings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--visitors", type=int, default=1500)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, visitors: int, days: int, seed: int, verbosity: int, **options: Any) -> None:
        if not 0 <= visitors <= 100_000 or not 1 <= days <= 90:
            raise CommandError("--visitors is 0-100,000 and --days 1-90.")
        listings = list(
            Machine.objects.filter(status__in=(MachineStatus.PUBLISHED, MachineStatus.IN_AUCTION))
            .values_list("pk", "model__maker__name", "model__model_number")
            .order_by("pk")
        )
        if not listings:
            raise CommandError("no published listings: seed the catalogue first")
        by_maker: dict[str, list[int]] = {}
        for machine_id, maker, _ in listings:
            by_maker.setdefault(maker, []).append(machine_id)
        rng = random.Random(seed)
        now = datetime.now(UTC)
        sink, pending, written = get_sink(), [], 0
        with tqdm(total=visitors, unit=" visitors", disable=verbosity < 1, file=sys.stderr) as bar:
            for number in range(visitors):
                actor = Actor(None, f"demo-visitor-{seed}-{number:06d}", None)
                for _ in range(rng.randint(1, 4)):  # visits
                    at = now - timedelta(days=rng.random() * days)
                    pending += self._visit(rng, actor, at, listings, by_maker)
                if len(pending) >= BATCH:
                    written += sink.write(pending)
                    pending = []
                bar.update()
        written += sink.write(pending)
        self.stdout.write(f"Demo events: {written:,} searches, clicks and views of {visitors:,} visitors")

    def _visit(
        self,
        rng: random.Random,
        actor: Actor,
        at: datetime,
        listings: list[tuple[int, str, str]],
        by_maker: dict[str, list[int]],
    ) -> list[dict[str, Any]]:
        actor = Actor(None, actor.visitor_id, f"demo-visit-{rng.getrandbits(48):012x}")
        _, maker, model = rng.choice(listings)
        if rng.random() < 0.03:
            query, found = rng.choice(NOTHING_FOUND), []
        elif rng.random() < 0.5:
            query, found = maker.lower(), by_maker[maker]
        else:
            query = f"{maker} {model}".lower()
            found = [m for m, mk, md in listings if (mk, md) == (maker, model)]
        shown = rng.sample(found, min(20, len(found)))
        search = past_event(
            "buyer_searched_machines",
            {
                "query": query[:200],
                "language": rng.choice(LANGUAGES),
                "filters": {},
                "result_count": len(found),
                "relaxed": False,
                "latency_ms": round(rng.lognormvariate(3.0, 0.4), 2),
                "page": 1,
                "result_ids": shown,
                "channel": "page",
            },
            at=at,
            actor=actor,
        )
        events = [search]
        for position, machine_id in enumerate(shown, 1):
            if rng.random() < 0.6 / position:  # buyers open the first results most
                at += timedelta(seconds=rng.randint(5, 120))
                origin = {
                    "machine_id": machine_id,
                    "position": position,
                    "search_event_id": search["event_id"],
                }
                events.append(past_event("buyer_clicked_search_result", origin, at=at, actor=actor))
                events.append(past_event("buyer_viewed_machine", origin, at=at, actor=actor))
        return events
