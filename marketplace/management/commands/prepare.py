"""Bring every store up to date: migrations, translations, and each store's step
(core/prepare.py: search indices, graph schema);
with --demo, load the demo catalogue when the database has no listings and build the search
index from it. Idempotent: a second run finds everything in place and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.prepare import STEPS
from events.selectors import any_kept

DEMO_ADMIN = ("admin", "demo-admin-password")
DEMO_MACHINES = 3000


class Command(BaseCommand):
    help = "Migrate PostgreSQL, create search indices and graph constraints, optionally load demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Load demo data if the database is empty.")

    def handle(self, *args: Any, demo: bool, **options: Any) -> None:
        try:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "var"])
            done = [step() for step in STEPS.values()]
        except Exception as error:
            raise CommandError(f"prepare failed: {type(error).__name__}: {error}") from error
        self.stdout.write("  migrated; " + "; ".join(done))
        if demo:
            self._load_demo()

    def _load_demo(self) -> None:
        from django.apps import apps

        from marketplace.models import Machine, Photo

        # the auctions and alerts apps are above this one (ARCHITECTURE.md): their models by name
        Auction = apps.get_model("auctions", "Auction")
        SavedSearch = apps.get_model("alerts", "SavedSearch")

        user_model = get_user_model()
        username, password = DEMO_ADMIN
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(
                username=username, password=password, email="admin@example.com"
            )
            self.stdout.write(f"  demo admin created: {username} / {password}")
        seeded = False
        if Machine.objects.exists():
            self.stdout.write("  demo catalogue already loaded")
        else:
            call_command("seed_catalogue", machines=DEMO_MACHINES, seed=1, stdout=self.stdout)
            seeded = True
        # the pages alive: photos on the newest listings, auctions on some of them, watchers
        if not Photo.objects.exists():
            call_command("seed_photos", stdout=self.stdout)
            seeded = True
        if not Auction.objects.exists():
            call_command("seed_auctions", stdout=self.stdout)
            seeded = True
        if not SavedSearch.objects.exists():  # a seller's new listing rings a demo buyer's bell
            call_command("seed_alerts", stdout=self.stdout)
        if not any_kept("buyer_searched_machines"):  # a month of buyers: the dashboards alive
            call_command("seed_events", stdout=self.stdout)
        if seeded:
            call_command("search_reindex", stdout=self.stdout, verbosity=0)
            call_command("graph_resync", stdout=self.stdout, verbosity=0)
