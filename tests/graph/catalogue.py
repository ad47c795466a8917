"""A small fixed catalogue with spec sheets for the spec-filter tests: models with catalogue
values, listings (one overrides its model's bucket), written to PostgreSQL, the search
index and the graph."""

from __future__ import annotations

from django.utils import timezone

from graph.client import run_query
from graph.sync import apply_changes as graph_apply_changes
from marketplace.models import (
    Category,
    Machine,
    MachineModel,
    MachineSpecValue,
    Maker,
    ModelSpecValue,
    SpecCategory,
    SpecDefinition,
    User,
)
from marketplace.money import to_pivot
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes as search_apply_changes
from tests.factories import spec_taxonomy
from tests.search.catalogue import fresh_machine_index

CATEGORIES = [("excavators", None), ("mini-excavators", "excavators"), ("crawler-excavators", "excavators"),
              ("loaders", None), ("wheel-loaders", "loaders")]  # fmt: skip
MAKERS = [
    ("kubota", "Kubota"),
    ("takeuchi", "Takeuchi"),
    ("komatsu", "Komatsu"),
    ("caterpillar", "Caterpillar"),
]
# slug: (maker, number, category, {spec: catalogue value})
MODELS: dict[str, tuple[str, str, str, dict[str, float | str]]] = {
    "kubota-u27-4": ("kubota", "U27-4", "mini-excavators",
                     {"operating_weight": 2700, "engine_power": 15.2, "undercarriage": "crawler", "bucket_capacity": 0.07}),
    "takeuchi-tb230": ("takeuchi", "TB230", "mini-excavators",
                       {"operating_weight": 3300, "engine_power": 18.2, "undercarriage": "crawler"}),
    "komatsu-pc200-8": ("komatsu", "PC200-8", "crawler-excavators",
                        {"operating_weight": 20500, "engine_power": 110, "undercarriage": "crawler", "bucket_capacity": 0.8}),
    "caterpillar-950m": ("caterpillar", "950M", "wheel-loaders",
                         {"operating_weight": 18500, "engine_power": 188, "undercarriage": "wheeled", "bucket_capacity": 3.1}),
}  # fmt: skip
# key: (model, country, year, title, own spec values, status)
LISTINGS: dict[str, tuple[str, str, int, str, dict[str, float | str], str]] = {
    "u27-jp": ("kubota-u27-4", "JP", 2019, "Kubota U27-4 mini excavator", {}, "published"),
    "u27-de": ("kubota-u27-4", "DE", 2015, "Kubota U27-4 mini excavator with a larger bucket", {"bucket_capacity": 0.09}, "published"),
    "tb230-gb": ("takeuchi-tb230", "GB", 2018, "Takeuchi TB230 mini excavator", {"attachments": "Breaker"}, "published"),
    "pc200-jp": ("komatsu-pc200-8", "JP", 2016, "Komatsu PC200-8 hydraulic excavator", {}, "published"),
    "pc200-us": ("komatsu-pc200-8", "US", 2012, "Komatsu PC200-8 excavator", {}, "published"),
    "950m-us": ("caterpillar-950m", "US", 2017, "Caterpillar 950M wheel loader", {}, "published"),
    "u27-draft": ("kubota-u27-4", "JP", 2020, "Kubota U27-4 not yet listed", {}, "draft"),
}  # fmt: skip


def build_spec_catalogue(seller: User) -> dict[str, int]:
    """Writes the catalogue and projects it into a fresh index and an empty graph; returns
    listing key → machine id."""
    definitions = spec_taxonomy()
    categories: dict[str, Category] = {}
    for slug, parent in CATEGORIES:
        parent_category = categories.get(parent) if parent else None
        categories[slug] = Category.objects.create(
            slug=slug, parent=parent_category, names={"en": slug.replace("-", " ").capitalize()},
            path=f"{parent_category.path}/{slug}" if parent_category else slug, depth=1 if parent_category else 0,
        )  # fmt: skip
    makers = {slug: Maker.objects.create(slug=slug, name=name) for slug, name in MAKERS}
    models: dict[str, MachineModel] = {}
    for slug, (maker, number, category, specs) in MODELS.items():
        models[slug] = MachineModel.objects.create(maker=makers[maker], category=categories[category],
                                                   model_number=number, slug=slug)  # fmt: skip
        for code, value in specs.items():
            ModelSpecValue.objects.create(
                model=models[slug], definition=definitions[code],
                value_number=value if not isinstance(value, str) else None, value_text=value if isinstance(value, str) else "",
            )  # fmt: skip
    ids: dict[str, int] = {}
    for key, (model, country, year, title, own, status) in LISTINGS.items():
        machine = Machine.objects.create(
            seller=seller, model=models[model], year=year, hours=1000 + year, country_id=country,
            price_amount=5_000_000, price_currency_id="EUR", price_pivot=to_pivot(5_000_000, "EUR"), status=status,
            published_at=timezone.now(), title={"en": title}, description={"en": "Serviced regularly."},
        )  # fmt: skip
        for code, value in own.items():
            MachineSpecValue.objects.create(
                machine=machine, definition=definitions[code],
                value_number=value if not isinstance(value, str) else None, value_text=value if isinstance(value, str) else "",
            )  # fmt: skip
        ids[key] = machine.pk
    fresh_machine_index()
    search_apply_changes({"machine": set(ids.values())})
    get_client().indices.refresh(index=alias_name(MACHINES))
    run_query("MATCH (n) DETACH DELETE n")
    graph_apply_changes({"machine": set(ids.values())})
    return ids


def remove_spec_catalogue() -> None:
    run_query("MATCH (n) DETACH DELETE n")
    Machine.objects.all().delete()
    MachineModel.objects.all().delete()
    Maker.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    SpecDefinition.objects.all().delete()
    SpecCategory.objects.all().delete()
