"""Loads marketplace/data/reference.json (languages, currencies, countries) into PostgreSQL.
Idempotent; run by a data migration and by `manage.py prepare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.json"


def load_reference_data(apps: Any = None) -> dict[str, int]:
    if apps is None:
        from django.apps import apps as installed_apps

        apps = installed_apps
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    language_model = apps.get_model("marketplace", "Language")
    currency_model = apps.get_model("marketplace", "Currency")
    country_model = apps.get_model("marketplace", "Country")
    for position, row in enumerate(data["languages"]):
        language_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "native_name": row["native_name"], "position": position},
        )
    for row in data["currencies"]:
        currency_model.objects.update_or_create(
            code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
    for row in data["countries"]:
        country_model.objects.update_or_create(code=row["code"], defaults={"names": row["names"]})
    return {name: len(rows) for name, rows in data.items()}
