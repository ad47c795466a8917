"""`manage.py seed_catalogue` against the real PostgreSQL test database."""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from marketplace.management.commands.seed_catalogue import DEMO_PASSWORD
from marketplace.models import (
    Category,
    Machine,
    MachineModel,
    MachineSpecValue,
    MachineStatus,
    Maker,
    ModelSpecValue,
    OutboxEvent,
    SpecDefinition,
    SpecKind,
    User,
)
from marketplace.money import clear_rate_cache, to_pivot

pytestmark = pytest.mark.django_db

REQUIRED_DEFINITIONS = {
    "operating_weight": ("number", "kg"),
    "bucket_capacity": ("number", "m3"),
    "engine_power": ("number", "kW"),
    "max_digging_depth": ("number", "m"),
    "max_reach": ("number", "m"),
    "lift_capacity": ("number", "kg"),
    "max_lift_height": ("number", "m"),
    "travel_speed": ("number", "km/h"),
    "fuel_tank": ("number", "L"),
    "blade_width": ("number", "m"),
    "drum_width": ("number", "m"),
    "rated_load": ("number", "kg"),
    "working_height": ("number", "m"),
    "payload": ("number", "kg"),
    "undercarriage": ("enum", ""),
    "emission_stage": ("enum", ""),
    "cab": ("enum", ""),
    "fuel": ("enum", ""),
    "attachments": ("text", ""),
    "blade": ("enum", ""),
    "air_conditioning": ("enum", ""),
}
REQUIRED_CHOICES = {
    "undercarriage": {"crawler", "wheeled", "rubber_track"},
    "emission_stage": {"tier2", "tier3", "tier4f", "stage3a", "stage5"},
    "cab": {"open_canopy", "closed_cab"},
    "fuel": {"diesel", "electric", "lpg", "hybrid"},
    "blade": {"none", "dozer_blade", "angle_blade"},
    "air_conditioning": {"yes", "no"},
}
LANGUAGE_BY_COUNTRY = {"JP": "ja", "CN": "zh", "DE": "de", "FR": "fr"}


def seed(*arguments: str) -> str:
    out = io.StringIO()
    call_command("seed_catalogue", *arguments, stdout=out, verbosity=0)
    return out.getvalue()


def listing_snapshot() -> list[tuple[Any, ...]]:
    specs: dict[int, list[tuple[Any, ...]]] = {}
    for machine_id, code, number, text in MachineSpecValue.objects.order_by("id").values_list(
        "machine_id", "definition__code", "value_number", "value_text"
    ):
        specs.setdefault(machine_id, []).append((code, number, text))
    rows = Machine.objects.order_by("id").values_list(
        "id", "seller__username", "model__slug", "year", "hours", "serial_number", "condition", "country_id", "region",
        "price_amount", "price_currency_id", "price_pivot", "status", "title", "description",
        "created_at", "updated_at", "published_at",
    )  # fmt: skip
    return [(*row[1:], specs.get(row[0], [])) for row in rows]


def assert_value_allowed(definition: SpecDefinition, number: float | None, text: str, where: str) -> None:
    if definition.kind == SpecKind.NUMBER:
        assert number is not None, where
        assert definition.min_value is not None, where
        assert definition.max_value is not None, where
        assert definition.min_value <= number <= definition.max_value, f"{where}: {number}"
    elif definition.kind == SpecKind.ENUM:
        assert number is None, where
        assert text in definition.choice_codes, f"{where}: {text!r}"
    else:
        assert number is None, where
        assert 0 < len(text) <= 200, where


def test_the_taxonomy_is_a_consistent_tree_of_realistic_size() -> None:
    seed("--machines", "0")

    categories = {category.pk: category for category in Category.objects.all()}
    assert len(categories) >= 20
    for category in categories.values():
        assert {"en", "ja", "zh"} <= set(category.names)
        if category.parent_id is None:
            assert (category.depth, category.path) == (0, category.slug)
        else:
            parent = categories[category.parent_id]
            assert category.depth == parent.depth + 1
            assert category.path == f"{parent.path}/{category.slug}"
    paths = set(Category.objects.values_list("path", flat=True))
    assert {
        "excavators/mini-excavators",
        "excavators/crawler-excavators",
        "loaders/wheel-loaders",
        "cranes/mobile-cranes",
    } <= paths
    # models hang from leaves only
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    assert not MachineModel.objects.filter(category_id__in=parents).exists()


def test_makers_models_and_spec_definitions() -> None:
    seed("--machines", "0")

    assert Maker.objects.count() >= 30
    assert not Maker.objects.filter(country=None).exists()
    assert {"komatsu", "caterpillar", "hitachi", "kubota", "liebherr", "tadano", "toyota", "genie"} <= set(
        Maker.objects.values_list("slug", flat=True)
    )
    assert MachineModel.objects.count() >= 300
    pc200 = MachineModel.objects.get(slug="komatsu-pc200-8")
    assert (pc200.maker.slug, pc200.model_number, pc200.category.slug) == (
        "komatsu",
        "PC200-8",
        "crawler-excavators",
    )
    for start, end in MachineModel.objects.values_list("production_start", "production_end"):
        assert start is not None
        assert end is None or start <= end

    definitions = {definition.code: definition for definition in SpecDefinition.objects.all()}
    for code, (kind, unit) in REQUIRED_DEFINITIONS.items():
        assert (definitions[code].kind, definitions[code].unit) == (kind, unit), code
    for code, choices in REQUIRED_CHOICES.items():
        assert set(definitions[code].choice_codes) == choices, code
        assert all({"en", "ja", "zh"} <= set(choice["names"]) for choice in definitions[code].choices), code
    assert {code for code, definition in definitions.items() if definition.machine_level} == {
        "attachments",
        "blade",
        "air_conditioning",
    }


def test_every_model_spec_value_respects_its_definition() -> None:
    seed("--machines", "0")

    values = ModelSpecValue.objects.select_related("definition", "model")
    assert values.count() > 3 * MachineModel.objects.count()
    for value in values:
        assert_value_allowed(
            value.definition,
            value.value_number,
            value.value_text,
            f"{value.model.slug} {value.definition.code}",
        )


def test_model_specs_are_plausible_for_their_class() -> None:
    seed("--machines", "0")

    def specs(slug: str) -> dict[str, Any]:
        return {
            code: number if number is not None else text
            for code, number, text in ModelSpecValue.objects.filter(model__slug=slug).values_list(
                "definition__code", "value_number", "value_text"
            )
        }

    pc200 = specs("komatsu-pc200-8")
    assert 19_500 <= pc200["operating_weight"] <= 21_500
    assert 0.8 <= pc200["bucket_capacity"] <= 1.0
    assert 105 <= pc200["engine_power"] <= 125
    assert 6.4 <= pc200["max_digging_depth"] <= 6.8
    assert pc200["undercarriage"] == "crawler"
    mini = specs("kubota-u27-4")
    assert 2_500 <= mini["operating_weight"] <= 2_900
    assert 0.02 <= mini["bucket_capacity"] <= 0.2
    loader = specs("caterpillar-950m")
    assert 3.0 <= loader["bucket_capacity"] <= 3.6
    assert loader["undercarriage"] == "wheeled"
    crane = specs("tadano-gr-250n")
    assert 24_000 <= crane["lift_capacity"] <= 26_000
    forklift = specs("toyota-8fbe15")
    assert forklift["fuel"] == "electric"
    assert "emission_stage" not in forklift


def test_listings_are_complete_consistent_and_write_no_outbox_events() -> None:
    output = seed("--machines", "300", "--seed", "3")

    assert "Seeded 300 listings" in output
    assert DEMO_PASSWORD in output
    assert Machine.objects.count() == 300
    assert not OutboxEvent.objects.exists()
    clear_rate_cache()
    this_year = timezone.now().year
    statuses: Counter[str] = Counter()
    for machine in Machine.objects.select_related("model", "seller"):
        for field in (machine.title, machine.description):
            assert {"en", "ja", "zh"} <= set(field)
            assert all(field[language].strip() for language in ("en", "ja", "zh"))
        assert machine.model.model_number in machine.title["en"]
        assert machine.model.production_start is not None
        assert machine.model.production_start <= machine.year <= this_year
        assert machine.model.production_end is None or machine.year <= machine.model.production_end
        assert machine.price_amount > 0
        assert machine.price_pivot == to_pivot(machine.price_amount, machine.price_currency_id)
        assert machine.seller.is_seller
        assert machine.country_id == machine.seller.country_id
        assert machine.price_currency_id == machine.seller.display_currency_id
        assert machine.region
        assert (machine.published_at is None) == (machine.status == MachineStatus.DRAFT)
        statuses[machine.status] += 1
    assert statuses[MachineStatus.PUBLISHED] > 0.85 * 300
    assert set(statuses) <= {MachineStatus.PUBLISHED, MachineStatus.DRAFT, MachineStatus.SOLD}
    spec_values = MachineSpecValue.objects.select_related("definition")
    assert spec_values.exists()
    for value in spec_values:
        assert_value_allowed(
            value.definition, value.value_number, value.value_text, f"machine {value.machine_id}"
        )


def test_demo_accounts() -> None:
    seed("--machines", "0")

    sellers = User.objects.filter(is_seller=True)
    assert sellers.values("country").distinct().count() >= 8
    for seller in sellers:
        assert re.fullmatch(r"seller-[a-z]{2}-\d{3}", seller.username)
        assert seller.username[7:9].upper() == seller.country_id
        assert seller.company_name
        assert seller.primary_language_id == LANGUAGE_BY_COUNTRY.get(seller.country_id, "en")
    assert User.objects.get(username="seller-jp-001").display_currency_id == "JPY"
    assert User.objects.get(username="seller-cn-001").display_currency_id == "CNY"
    assert User.objects.get(username="seller-de-001").display_currency_id == "EUR"
    buyers = User.objects.filter(username__startswith="buyer-")
    assert {"buyer-en-001", "buyer-ja-001", "buyer-zh-001"} <= set(buyers.values_list("username", flat=True))
    assert User.objects.get(username="seller-jp-001").check_password(DEMO_PASSWORD)
    assert User.objects.get(username="buyer-ja-001").check_password(DEMO_PASSWORD)
    assert User.objects.filter(username__regex=r"^(seller|buyer)-").values("password").distinct().count() == 1


def test_the_same_seed_gives_the_same_listings_and_another_seed_different_ones() -> None:
    seed("--machines", "300", "--seed", "7")
    first = listing_snapshot()

    output = seed("--machines", "300", "--seed", "7", "--reset")

    assert "Deleted 300 listings" in output
    assert listing_snapshot() == first
    seed("--machines", "300", "--seed", "8", "--reset")
    other = listing_snapshot()
    assert len(other) == 300
    assert other != first
    assert sum(a[:3] == b[:3] for a, b in zip(first, other, strict=True)) < 30


def test_a_second_run_reuses_the_taxonomy_and_adds_listings() -> None:
    seed("--machines", "50")
    counts = (
        Category.objects.count(),
        Maker.objects.count(),
        MachineModel.objects.count(),
        ModelSpecValue.objects.count(),
    )
    users = User.objects.count()

    output = seed("--machines", "50", "--seed", "2")

    assert "(created nothing)" in output
    assert (
        Category.objects.count(),
        Maker.objects.count(),
        MachineModel.objects.count(),
        ModelSpecValue.objects.count(),
    ) == counts
    assert User.objects.count() == users
    assert Machine.objects.count() == 100


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--machines", "-5"), "--machines must be between 0"),
        (("--machines", "lots"), "invalid int value"),
        (("--batch-size", "0"), "--batch-size must be between 1"),
        (("--as-of", "2999-01-01"), "--as-of must be between"),
        (("--as-of", "yesterday"), "--as-of must be a date"),
    ],
)
def test_bad_arguments_raise_a_command_error_and_change_nothing(
    arguments: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        seed(*arguments)

    assert not Category.objects.exists()
    assert not User.objects.exists()
    assert not Machine.objects.exists()


def test_a_reset_that_would_delete_auctioned_listings_is_refused_and_changes_nothing() -> None:
    """Auctions keep their listings (their records outlive the demo): --reset says so in one
    line instead of failing with a traceback, and deletes nothing."""
    from tests.factories import open_auction

    seed("--machines", "5")
    auctioned = Machine.objects.order_by("id").first()
    assert auctioned is not None
    Machine.objects.filter(pk=auctioned.pk).update(status="published")
    open_auction(machine=Machine.objects.get(pk=auctioned.pk))
    before = listing_snapshot()

    with pytest.raises(
        CommandError, match=r"--reset cannot delete 1 listing of the demo sellers: it has an auction"
    ):
        seed("--machines", "5", "--reset")

    assert listing_snapshot() == before
