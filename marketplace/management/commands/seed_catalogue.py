"""`manage.py seed_catalogue [--machines N] [--seed S] [--reset]`: a realistic, deterministic demo
catalogue (taxonomy, makers, models with specs, sellers, buyers and listings)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone
from tqdm import tqdm

from marketplace.catalogue.generator import ListingGenerator, plan_buyers, plan_sellers
from marketplace.catalogue.loader import (
    analyze,
    delete_listings,
    ensure_taxonomy,
    ensure_users,
    insert_listings,
    load_country_names,
    load_rates,
)
from marketplace.catalogue.taxonomy import build_catalogue

# Printed by the command and documented: the demo accounts are meant to be logged into.
DEMO_PASSWORD = "demo-password-123"  # noqa: S105
DEFAULT_MACHINES = 5_000
MAX_MACHINES = 5_000_000
DEFAULT_BATCH_SIZE = 5_000


class Command(BaseCommand):
    help = (
        "Seed the demo catalogue. The taxonomy (categories, makers, spec definitions, models and their "
        "catalogue specs) and the demo accounts (seller-<country>-NNN, buyer-<language>-NNN) are created "
        "where missing, keyed by slug, code and username, and reused untouched where they exist. Then N "
        "listings drawn from --seed are appended: running the command again adds N more, --reset first "
        "deletes the demo sellers' listings. The same seed and --as-of give the same listings. No outbox "
        "events are written; rebuild the search index and the graph with their own commands afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--machines",
            type=int,
            default=DEFAULT_MACHINES,
            help=f"Listings to add (default {DEFAULT_MACHINES:,}).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the listings' random generator (default 1)."
        )
        parser.add_argument("--reset", action="store_true", help="Delete the demo sellers' listings first.")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="Date (YYYY-MM-DD) the newest listings date from; default 1 January of the current year, "
            "so a seed gives the same listings all year.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Listings per transaction (default {DEFAULT_BATCH_SIZE:,}).",
        )

    def handle(
        self,
        *args: Any,
        machines: int,
        seed: int,
        reset: bool,
        as_of: str | None,
        batch_size: int,
        verbosity: int,
        **options: Any,
    ) -> None:
        as_of_moment = self._validate(machines=machines, batch_size=batch_size, as_of=as_of)
        started = time.monotonic()
        catalogue = build_catalogue()
        ids = ensure_taxonomy(catalogue)
        created = ", ".join(f"{count} {name}" for name, count in ids.created.items() if count) or "nothing"
        self.stdout.write(
            f"Catalogue: {len(ids.categories)} categories, {len(ids.makers)} makers, {len(ids.models)} models, "
            f"{len(ids.definitions)} spec definitions (created {created}) in {time.monotonic() - started:.1f} s"
        )

        rates, country_names = load_rates(), load_country_names()
        sellers, buyers = plan_sellers(), plan_buyers()
        missing = sorted({seller.currency for seller in sellers} - set(rates)) + sorted(
            {seller.country for seller in sellers} - set(country_names)
        )
        if missing:
            raise CommandError(
                f"Reference data is missing ({', '.join(missing)}): run `manage.py migrate` first."
            )
        users, created_users = ensure_users(sellers, buyers, password=DEMO_PASSWORD, joined_at=as_of_moment)
        countries = len({seller.country for seller in sellers})
        self.stdout.write(
            f"Demo accounts: {len(sellers)} sellers in {countries} countries ({sellers[0].username} … {sellers[-1].username}), "
            f"{len(buyers)} buyers ({buyers[0].username} … {buyers[-1].username}); {created_users} created. "
            f"Password of every demo account: {DEMO_PASSWORD}"
        )
        if reset:
            try:
                deleted = delete_listings([seller.username for seller in sellers])
            except ProtectedError as error:
                kept = len({getattr(row, "machine_id", row.pk) for row in error.protected_objects})
                raise CommandError(
                    f"--reset cannot delete {kept} listing{'s' if kept != 1 else ''} of the demo sellers: "
                    f"{'they have auctions' if kept != 1 else 'it has an auction'}, whose records are kept; "
                    "nothing was deleted."
                ) from error
            self.stdout.write(f"Deleted {deleted:,} listings of the demo sellers")

        listings_started = time.monotonic()
        generator = ListingGenerator(catalogue, sellers, rates, country_names, as_of=as_of_moment)
        with tqdm(
            total=machines, unit=" listings", disable=verbosity < 1 or machines == 0, file=sys.stderr
        ) as bar:
            count, spec_values = insert_listings(
                generator.generate(machines, seed),
                users=users,
                ids=ids,
                batch_size=batch_size,
                progress=bar.update,
            )
        if count:
            analyze()
        self.stdout.write(
            f"Seeded {count:,} listings with {spec_values:,} spec values (seed {seed}) in "
            f"{time.monotonic() - listings_started:.1f} s; {time.monotonic() - started:.1f} s in all"
        )

    @staticmethod
    def _validate(*, machines: int, batch_size: int, as_of: str | None) -> datetime:
        if not 0 <= machines <= MAX_MACHINES:
            raise CommandError(f"--machines must be between 0 and {MAX_MACHINES:,}, not {machines}.")
        if not 1 <= batch_size <= 100_000:
            raise CommandError(f"--batch-size must be between 1 and 100,000, not {batch_size}.")
        today = timezone.now().date()
        if as_of is None:
            day = date(today.year, 1, 1)
        else:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date like 2026-01-01, not {as_of!r}.") from None
            if day > today or day.year < 2000:
                raise CommandError(f"--as-of must be between 2000-01-01 and today, not {as_of}.")
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
