"""Loads marketplace/data/reference.json (languages, currencies, countries) into PostgreSQL.
Idempotent; run by a data migration and by `manage.py prepare`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.json"


@cache
def _released() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return data


def released_codes(kind: str) -> list[str]:
    """The codes of one kind ("languages", "currencies", "countries") as released in the
    reference file: what the API document lists, read without a database."""
    return [row["code"] for row in _released()[kind]]


def load_reference_data(apps: Any = None) -> dict[str, int]:
    if apps is None:
        from django.apps import apps as installed_apps

        apps = installed_apps
    data = _released()
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
