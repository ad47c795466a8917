"""`manage.py seed_auctions [--seed S]`: live, upcoming and recently ended auctions on the demo
catalogue's listings with photos, with bids from the demo buyers, and buyers watching them;
all through the services a seller and buyers use (backdated with their `now`), so every page
shows an auction as it would be."""

from __future__ import annotations

import random
import sys
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from auctions.models import Auction
from auctions.selectors import auction_snapshot
from auctions.services import auction_close, auction_create, bid_place
from core.errors import DomainError
from core.money import Money, minor_units
from marketplace.models import Machine, MachineStatus
from marketplace.services import watch_add

LIVE, UPCOMING, ENDED = 6, 4, 6


class Command(BaseCommand):
    help = "Put demo listings up for auction: live, upcoming and recently ended, with bids and watchers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, verbosity: int, **options: Any) -> None:
        if Auction.objects.exists():
            self.stdout.write("Auctions: some exist already; none added")
            return
        buyers = list(
            get_user_model().objects.filter(username__startswith="buyer-").order_by("username")[:40]
        )
        machines = list(
            Machine.objects.filter(status=MachineStatus.PUBLISHED, photos__isnull=False)
            .select_related("seller")
            .distinct()
            .order_by("-published_at", "-id")[: LIVE + UPCOMING + ENDED]
        )
        if len(buyers) < 2 or len(machines) < LIVE + UPCOMING + ENDED:
            raise CommandError("Seed the catalogue and its photos first (seed_catalogue, seed_photos).")
        rng, now = random.Random(seed), timezone.now()
        plans = ["ended"] * ENDED + ["live"] * LIVE + ["upcoming"] * UPCOMING
        bids = 0
        with tqdm(total=len(plans), unit=" auctions", disable=verbosity < 1, file=sys.stderr) as bar:
            for machine, plan in zip(machines, plans, strict=True):
                bids += self._auction(machine, plan, buyers, rng, now)
                bar.update()
        watched = 0
        auctioned = [machine.pk for machine in machines]
        for buyer in buyers:
            for machine_id in rng.sample(auctioned, 3):
                watch_add(user=buyer, machine_id=machine_id)
                watched += 1
        self.stdout.write(
            f"Auctions: {LIVE} live, {UPCOMING} upcoming, {ENDED} ended; {bids} bids; {watched} watches"
        )

    def _auction(
        self, machine: Machine, plan: str, buyers: list[Any], rng: random.Random, now: datetime
    ) -> int:
        hour = timedelta(hours=1)
        if plan == "ended":
            opened = now - timedelta(days=rng.randint(6, 9))
            starts_at, ends_at = opened, now - rng.randint(6, 96) * hour
        elif plan == "live":
            opened = now - timedelta(days=1)
            starts_at, ends_at = (
                opened,
                now + rng.randint(1, 40) * hour + timedelta(minutes=rng.randint(0, 59)),
            )
        else:
            opened = now
            starts_at = now + rng.randint(4, 72) * hour
            starts_at, ends_at = starts_at, starts_at + timedelta(days=rng.randint(2, 7))
        currency = machine.price_currency_id
        whole = 10 ** minor_units(currency)
        price = machine.price_amount // whole  # in major units
        step = 10 ** max(0, len(str(price)) - 2)  # two significant digits
        starting = max(step, price * rng.randint(40, 60) // 100 // step * step)
        reserve = price * rng.randint(70, 95) // 100 if rng.random() < 0.5 else None
        auction = auction_create(
            seller=machine.seller,
            machine_id=machine.pk,
            kind="soft_close" if rng.random() < 0.7 else "sudden_death",
            starts_at=starts_at,
            ends_at=ends_at,
            starting_price=Money(starting * whole, currency),
            reserve_price=Money(reserve * whole, currency) if reserve else None,
            now=opened,
        )
        placed = 0
        if plan != "upcoming":
            span = (min(ends_at, now) - starts_at).total_seconds()
            moments = sorted(
                starts_at + timedelta(seconds=rng.uniform(60, span - 60)) for _ in range(rng.randint(2, 9))
            )
            for moment in moments:
                bidder = rng.choice(buyers)
                minimum = auction_snapshot(Auction.objects.get(pk=auction.pk), now=moment)["minimum_bid"]
                try:
                    bid_place(
                        auction_id=auction.pk,
                        bidder=bidder,
                        amount=Money(int(minimum["minor"]), currency),
                        idempotency_key=uuid.uuid4().hex,
                        now=moment,
                    )
                    placed += 1
                except DomainError:  # the leader bidding against themselves, a rate limit…
                    continue
        if plan == "ended":
            auction_close(auction_id=auction.pk, now=ends_at + timedelta(seconds=1))
        return placed
