"""Writes the demo catalogue to PostgreSQL.

The taxonomy and the demo accounts are created where missing (keyed by slug, code and username)
and reused as they are otherwise. Listings are appended with COPY, in batches that each commit on
their own. Nothing here writes an OutboxEvent: a 100,000-listing seed would flood the search and
graph workers, whose projections are rebuilt in full by their own commands instead.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from marketplace.catalogue.generator import BuyerPlan, MachinePlan, Rate, SellerPlan
from marketplace.catalogue.taxonomy import Catalogue
from marketplace.models import (
    Category,
    Country,
    Currency,
    Machine,
    MachineModel,
    MachineSpecValue,
    Maker,
    ModelSpecValue,
    SpecCategory,
    SpecDefinition,
    User,
)

MACHINE_COLUMNS = (
    "id", "seller_id", "model_id", "year", "hours", "serial_number", "condition", "country_id", "region",
    "price_amount", "price_currency_id", "price_pivot", "status", "title", "description",
    "created_at", "updated_at", "published_at",
)  # fmt: skip
SPEC_VALUE_COLUMNS = ("machine_id", "definition_id", "value_number", "value_text")


@dataclass
class TaxonomyIds:
    """Database ids of the catalogue's rows by slug or code, and how many rows this run created."""

    categories: dict[str, int] = field(default_factory=dict)
    makers: dict[str, int] = field(default_factory=dict)
    spec_categories: dict[str, int] = field(default_factory=dict)
    definitions: dict[str, int] = field(default_factory=dict)
    models: dict[str, int] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)


@transaction.atomic
def ensure_taxonomy(catalogue: Catalogue) -> TaxonomyIds:
    ids = TaxonomyIds()
    ids.spec_categories = dict(SpecCategory.objects.values_list("code", "id"))
    missing = [row for row in catalogue.spec_categories if row.code not in ids.spec_categories]
    for spec_category in SpecCategory.objects.bulk_create(
        SpecCategory(code=plan.code, names=plan.names, position=plan.position) for plan in missing
    ):
        ids.spec_categories[spec_category.code] = spec_category.pk
    ids.created["spec categories"] = len(missing)

    ids.definitions = dict(SpecDefinition.objects.values_list("code", "id"))
    missing_definitions = [row for row in catalogue.spec_definitions if row.code not in ids.definitions]
    for definition in SpecDefinition.objects.bulk_create(
        SpecDefinition(
            code=plan.code,
            names=plan.names,
            kind=plan.kind,
            unit=plan.unit,
            min_value=plan.min_value,
            max_value=plan.max_value,
            choices=plan.choices,
            spec_category_id=ids.spec_categories[plan.spec_category],
            position=plan.position,
            machine_level=plan.machine_level,
        )
        for plan in missing_definitions
    ):
        ids.definitions[definition.code] = definition.pk
    ids.created["spec definitions"] = len(missing_definitions)

    ids.categories = dict(Category.objects.values_list("slug", "id"))
    missing_categories = [row for row in catalogue.categories if row.slug not in ids.categories]
    # A level at a time, so each new category's parent already has an id.
    for _depth, level in itertools.groupby(
        sorted(missing_categories, key=lambda row: row.depth), key=lambda row: row.depth
    ):
        for category in Category.objects.bulk_create(
            Category(
                parent_id=ids.categories[plan.parent_slug] if plan.parent_slug else None,
                slug=plan.slug,
                names=plan.names,
                path=plan.path,
                depth=plan.depth,
                position=plan.position,
            )
            for plan in level
        ):
            ids.categories[category.slug] = category.pk
    ids.created["categories"] = len(missing_categories)

    countries = set(Country.objects.values_list("code", flat=True))
    ids.makers = dict(Maker.objects.values_list("slug", "id"))
    missing_makers = [row for row in catalogue.makers if row.slug not in ids.makers]
    for maker in Maker.objects.bulk_create(
        Maker(
            slug=plan.slug,
            name=plan.name,
            names=plan.names,
            country_id=plan.country if plan.country in countries else None,
        )
        for plan in missing_makers
    ):
        ids.makers[maker.slug] = maker.pk
    ids.created["makers"] = len(missing_makers)

    ids.models = dict(MachineModel.objects.values_list("slug", "id"))
    # A model someone entered by hand under another slug is the same model: reuse it.
    by_number = {
        (maker, number): pk
        for pk, maker, number in MachineModel.objects.values_list("id", "maker_id", "model_number")
    }
    missing_models = []
    for plan in catalogue.models:
        existing = ids.models.get(plan.slug) or by_number.get((ids.makers[plan.maker], plan.model_number))
        if existing:
            ids.models[plan.slug] = existing
        else:
            missing_models.append(plan)
    for model in MachineModel.objects.bulk_create(
        MachineModel(
            maker_id=ids.makers[plan.maker],
            category_id=ids.categories[plan.category],
            model_number=plan.model_number,
            slug=plan.slug,
            production_start=plan.production_start,
            production_end=plan.production_end,
        )
        for plan in missing_models
    ):
        ids.models[model.slug] = model.pk
    ids.created["models"] = len(missing_models)
    # Catalogue values only for the models created now; existing models keep theirs.
    ModelSpecValue.objects.bulk_create(
        (
            ModelSpecValue(
                model_id=ids.models[plan.slug],
                definition_id=ids.definitions[code],
                value_number=value if isinstance(value, float) else None,
                value_text=value if isinstance(value, str) else "",
            )
            for plan in missing_models
            for code, value in plan.specs.items()
        ),
        batch_size=2000,
    )
    return ids


@transaction.atomic
def ensure_users(
    sellers: Sequence[SellerPlan], buyers: Sequence[BuyerPlan], *, password: str, joined_at: datetime
) -> tuple[dict[str, int], int]:
    """Ids of the demo accounts by username, and how many were created. One password hash for
    all of them: hashing is deliberately slow."""
    usernames = [plan.username for plan in sellers] + [plan.username for plan in buyers]
    existing = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    password_hash = make_password(password)
    users = [
        User(
            username=plan.username,
            email=f"{plan.username}@example.com",
            password=password_hash,
            is_seller=True,
            company_name=plan.company_name,
            country_id=plan.country,
            primary_language_id=plan.language,
            display_currency_id=plan.currency,
            date_joined=joined_at,
        )
        for plan in sellers
        if plan.username not in existing
    ] + [
        User(
            username=plan.username,
            email=f"{plan.username}@example.com",
            password=password_hash,
            country_id=plan.country,
            primary_language_id=plan.language,
            display_currency_id=plan.currency,
            date_joined=joined_at,
        )
        for plan in buyers
        if plan.username not in existing
    ]
    for user in User.objects.bulk_create(users):
        existing[user.username] = user.pk
    return existing, len(users)


def load_rates() -> dict[str, Rate]:
    return {
        code: Rate(minor_units, rate)
        for code, minor_units, rate in Currency.objects.values_list(
            "code", "minor_units", "rate_to_pivot_nano"
        )
    }


def load_country_names() -> dict[str, dict[str, str]]:
    return dict(Country.objects.values_list("code", "names"))


def delete_listings(usernames: Sequence[str]) -> int:
    """Delete the listings of these accounts (their spec values, photos and watchers with them)."""
    # Through the ORM so every on_delete rule holds; only the ids are loaded (a third of the time).
    with transaction.atomic():
        _total, per_model = Machine.objects.filter(seller__username__in=usernames).only("id").delete()
    return per_model.get(Machine._meta.label, 0)


def insert_listings(
    plans: Iterable[MachinePlan],
    *,
    users: dict[str, int],
    ids: TaxonomyIds,
    batch_size: int,
    progress: Callable[[int], object] = lambda count: None,
) -> tuple[int, int]:
    """COPY the listings and their spec values in batches; returns (listings, spec values)."""
    machine_table = connection.ops.quote_name(Machine._meta.db_table)
    spec_table = connection.ops.quote_name(MachineSpecValue._meta.db_table)
    machines = spec_values = 0
    iterator = iter(plans)
    while batch := list(itertools.islice(iterator, batch_size)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Machine._meta.db_table, len(batch)],
            )
            machine_ids = [row[0] for row in cursor.fetchall()]
            with cursor.copy(f"COPY {machine_table} ({', '.join(MACHINE_COLUMNS)}) FROM STDIN") as copy:
                for machine_id, plan in zip(machine_ids, batch, strict=True):
                    copy.write_row((
                        machine_id, users[plan.seller], ids.models[plan.model], plan.year, plan.hours,
                        plan.serial_number, plan.condition, plan.country, plan.region,
                        plan.price_amount, plan.price_currency, plan.price_pivot, plan.status,
                        json.dumps(plan.title, ensure_ascii=False), json.dumps(plan.description, ensure_ascii=False),
                        plan.created_at, plan.updated_at, plan.published_at,
                    ))  # fmt: skip
            with cursor.copy(f"COPY {spec_table} ({', '.join(SPEC_VALUE_COLUMNS)}) FROM STDIN") as copy:
                for machine_id, plan in zip(machine_ids, batch, strict=True):
                    for code, number, value_text in plan.specs:
                        copy.write_row((machine_id, ids.definitions[code], number, value_text))
                        spec_values += 1
        machines += len(batch)
        progress(len(batch))
    return machines, spec_values


def analyze() -> None:
    """Fresh planner statistics, so benchmarks right after a seed see realistic plans."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Machine._meta.db_table)}")
        cursor.execute(f"ANALYZE {connection.ops.quote_name(MachineSpecValue._meta.db_table)}")
