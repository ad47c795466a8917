"""`manage.py seed_alerts`: saved searches for the demo buyers, in their own languages, through
the service a buyer uses, so that a seller publishing a matching machine in `make run` rings
their bell (and writes their email into var/mail)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from alerts.models import SavedSearch
from alerts.saved_searches import saved_search_create

# (buyer, name, query, delivery): what buyers of each language would keep
DEMO_SEARCHES = [
    ("buyer-en-001", "Komatsu excavators", "q=komatsu+excavator&lang=en", "email"),
    ("buyer-en-001", "Wheel loaders since 2015", "category=wheel-loaders&year_min=2015", "site"),
    (
        "buyer-en-002",
        "Cheap mini excavators",
        "category=mini-excavators&price_max=30000&currency=EUR",
        "digest",
    ),
    (
        "buyer-ja-001",
        "\u30b3\u30de\u30c4 \u6cb9\u5727\u30b7\u30e7\u30d9\u30eb",
        "q=\u30b3\u30de\u30c4+\u6cb9\u5727\u30b7\u30e7\u30d9\u30eb&lang=ja",
        "email",
    ),
    ("buyer-ja-002", "\u30af\u30ec\u30fc\u30f3", "q=\u30af\u30ec\u30fc\u30f3&lang=ja", "site"),
    ("buyer-de-001", "Bagger in Deutschland", "q=bagger&lang=de&country=DE", "digest"),
]


class Command(BaseCommand):
    help = "Give the demo buyers saved searches (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if SavedSearch.objects.exists():
            self.stdout.write("Saved searches: some exist already; none added")
            return
        users = {
            user.username: user for user in get_user_model().objects.filter(username__startswith="buyer-")
        }
        added = 0
        for username, name, query, delivery in DEMO_SEARCHES:
            if username in users:
                with transaction.atomic():
                    saved_search_create(user=users[username], name=name, query=query, delivery=delivery)
                added += 1
        self.stdout.write(f"Saved searches: {added} for the demo buyers")
