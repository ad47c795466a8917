"""Bring every store up to date: migrations, translations, search indices, graph schema;
with --demo, load the demo catalogue when the database is empty. Idempotent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from graph.schema import ensure_schema
from search.indices import ensure_indices

DEMO_ADMIN = ("admin", "demo-admin-password")


class Command(BaseCommand):
    help = "Migrate PostgreSQL, create search indices and graph constraints, optionally load demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Load demo data if the database is empty.")

    def handle(self, *args: Any, demo: bool, **options: Any) -> None:
        try:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "var"])
            indices = ensure_indices()
            statements = ensure_schema()
        except Exception as error:
            raise CommandError(f"prepare failed: {type(error).__name__}: {error}") from error
        self.stdout.write(f"  migrated; search indices {', '.join(indices)}; {statements} graph schema statements")
        if demo:
            self._load_demo()

    def _load_demo(self) -> None:
        user_model = get_user_model()
        if user_model.objects.exists():
            self.stdout.write("  demo data already loaded")
            return
        username, password = DEMO_ADMIN
        user_model.objects.create_superuser(username=username, password=password, email="admin@example.com")
        self.stdout.write(f"  demo admin created: {username} / {password}")
