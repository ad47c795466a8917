"""The demo catalogue's taxonomy, built from the JSON files in `data/`: a category tree, makers,
spec definitions, and machine models with their catalogue spec values.

Pure (no database). Each model's values come from a `random.Random` seeded with the model's slug,
so the catalogue is identical whatever `--seed` a run uses and whichever rows already exist.
"""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from django.utils.text import slugify

DATA = Path(__file__).parent / "data"
FAMILY_FILES = (
    "families_excavators.json",
    "families_earthmoving.json",
    "families_lifting.json",
    "families_other.json",
)
EUROPEAN_COUNTRIES = frozenset({"DE", "SE", "GB", "FR", "IT", "NL", "BE"})
# Relative jitter of a model's catalogue values around the class curve, and of its size.
CURVE_JITTER = 0.025
SIZE_JITTER = 0.015

Curve = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class CategoryPlan:
    slug: str
    names: dict[str, str]
    parent_slug: str | None
    path: str
    depth: int
    position: int
    profile: str | None
    weight: float
    noun: dict[str, str]


@dataclass(frozen=True, slots=True)
class MakerPlan:
    slug: str
    name: str
    names: dict[str, str]
    country: str
    price_factor: float
    serial_style: str
    wmi: str


@dataclass(frozen=True, slots=True)
class SpecCategoryPlan:
    code: str
    names: dict[str, str]
    position: int


@dataclass(frozen=True, slots=True)
class SpecDefinitionPlan:
    code: str
    names: dict[str, str]
    kind: str
    unit: str
    min_value: float | None
    max_value: float | None
    choices: list[dict[str, Any]]
    spec_category: str
    position: int
    machine_level: bool

    def clamp(self, value: float) -> float:
        if self.min_value is not None:
            value = max(value, self.min_value)
        if self.max_value is not None:
            value = min(value, self.max_value)
        return float(value)


@dataclass(frozen=True, slots=True)
class Profile:
    """How a class of machine (a leaf category) is specified, priced and used."""

    size_spec: str
    size_factor: float
    curves: dict[str, Curve]
    enums: dict[str, dict[str, float]]
    price_eur: Curve
    depreciation: float
    hours_per_year: tuple[int, int] | None
    wear: str | None
    blade: dict[str, float] | None
    attachments: tuple[str, ...]
    override: str | None


@dataclass(frozen=True, slots=True)
class ModelPlan:
    slug: str
    maker: str
    category: str
    model_number: str
    size: float
    production_start: int
    production_end: int | None
    specs: dict[str, float | str]
    new_price_eur: float


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[CategoryPlan, ...]
    makers: tuple[MakerPlan, ...]
    spec_categories: tuple[SpecCategoryPlan, ...]
    spec_definitions: tuple[SpecDefinitionPlan, ...]
    models: tuple[ModelPlan, ...]
    profiles: dict[str, Profile]

    @cached_property
    def category_by_slug(self) -> dict[str, CategoryPlan]:
        return {category.slug: category for category in self.categories}

    @cached_property
    def maker_by_slug(self) -> dict[str, MakerPlan]:
        return {maker.slug: maker for maker in self.makers}

    @cached_property
    def definition_by_code(self) -> dict[str, SpecDefinitionPlan]:
        return {definition.code: definition for definition in self.spec_definitions}


def interpolate(curve: Curve, x: float) -> float:
    """Piecewise-linear through the curve's points, extended along the end segments."""
    xs = [point[0] for point in curve]
    if len(curve) == 1:
        return curve[0][1]
    index = min(max(bisect.bisect_right(xs, x), 1), len(curve) - 1)
    (x0, y0), (x1, y1) = curve[index - 1], curve[index]
    value = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    # Never extrapolate below a fifth of the nearest point: values stay physical.
    return max(value, min(y0, y1) * 0.2)


def round_for_unit(value: float, unit: str) -> float:
    if unit == "kg":
        return float(round(value, -1) if value >= 1000 else round(value))
    if unit == "m3":
        return round(value, 3 if value < 0.1 else 2)
    if unit in ("kW", "km/h"):
        return round(value, 1)
    if unit in ("L", "kVA"):
        return float(round(value))
    return round(value, 2)


def emission_stage(production_start: int, maker_country: str) -> str:
    if maker_country == "CN":
        return "tier2" if production_start < 2006 else "tier3"
    european = maker_country in EUROPEAN_COUNTRIES
    # Stage IV is not among the choices: European models launched once Stage V was announced
    # were built to it, the others of that era count as Tier 4 Final.
    if production_start >= (2016 if european else 2030):
        return "stage5"
    if production_start >= 2014:
        return "tier4f"
    if production_start >= 2006:
        return "stage3a" if european else "tier3"
    return "tier2"


def weighted_choice(rng: random.Random, weights: Mapping[str, float]) -> str:
    codes = list(weights)
    return rng.choices(codes, weights=[weights[code] for code in codes])[0]


def _read(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _categories(rows: Sequence[dict[str, Any]], parent: CategoryPlan | None = None) -> Iterator[CategoryPlan]:
    for position, row in enumerate(rows):
        category = CategoryPlan(
            slug=row["slug"],
            names=row["names"],
            parent_slug=parent.slug if parent else None,
            path=f"{parent.path}/{row['slug']}" if parent else row["slug"],
            depth=parent.depth + 1 if parent else 0,
            position=position,
            profile=row.get("profile"),
            weight=float(row.get("weight", 0)),
            noun=row.get("noun", {}),
        )
        yield category
        yield from _categories(row.get("children", []), category)


def _curve(points: Sequence[Sequence[float]]) -> Curve:
    return tuple((float(x), float(y)) for x, y in points)


def _profile(row: dict[str, Any]) -> Profile:
    size_spec, size_factor = row["size"]
    hours = row.get("hours_per_year")
    return Profile(
        size_spec=size_spec,
        size_factor=float(size_factor),
        curves={code: _curve(points) for code, points in row["curves"].items()},
        enums=row["enums"],
        price_eur=_curve(row["price_eur"]),
        depreciation=float(row["depreciation"]),
        hours_per_year=(int(hours[0]), int(hours[1])) if hours else None,
        wear=row.get("wear"),
        blade=row.get("blade"),
        attachments=tuple(row.get("attachments", ())),
        override=row.get("override"),
    )


def _spec_definitions(rows: Sequence[dict[str, Any]]) -> Iterator[SpecDefinitionPlan]:
    positions: dict[str, int] = {}
    for row in rows:
        position = positions[row["category"]] = positions.get(row["category"], -1) + 1
        yield SpecDefinitionPlan(
            code=row["code"],
            names=row["names"],
            kind=row["kind"],
            unit=row.get("unit", ""),
            min_value=float(row["min"]) if "min" in row else None,
            max_value=float(row["max"]) if "max" in row else None,
            choices=row.get("choices", []),
            spec_category=row["category"],
            position=position,
            machine_level=bool(row.get("machine_level", False)),
        )


def _family_entries(family: dict[str, Any]) -> Iterator[tuple[str, float, int, int | None, dict[str, Any]]]:
    generations = family.get("generations")
    for entry in family["models"]:
        if generations:
            base, size, *rest = entry
            for suffix, start, end in generations:
                yield f"{base}{suffix}", float(size), start, end, (rest[0] if rest else {})
        else:
            number, size, start, end, *rest = entry
            yield number, float(size), start, end, (rest[0] if rest else {})


def _model(
    maker: MakerPlan,
    category: CategoryPlan,
    profile: Profile,
    definitions: Mapping[str, SpecDefinitionPlan],
    entry: tuple[str, float, int, int | None, dict[str, Any]],
    family_specs: Mapping[str, Any],
) -> ModelPlan:
    number, size, start, end, overrides = entry
    slug = slugify(f"{maker.slug} {number}".replace(".", "-").replace("/", "-"))
    rng = random.Random(f"model:{slug}")
    specs: dict[str, float | str] = {}
    specs[profile.size_spec] = size * profile.size_factor * (1 + rng.uniform(-SIZE_JITTER, SIZE_JITTER))
    for code, curve in profile.curves.items():
        specs[code] = interpolate(curve, size) * (1 + rng.uniform(-CURVE_JITTER, CURVE_JITTER))
    for code, weights in profile.enums.items():
        specs[code] = weighted_choice(rng, weights)
    specs.update(family_specs)
    specs.update(overrides)
    if "engine_power" in specs and specs.get("fuel") in ("diesel", "hybrid"):
        specs["emission_stage"] = emission_stage(start, maker.country)
    for code, value in specs.items():
        definition = definitions[code]
        if isinstance(value, float | int) and definition.kind == "number":
            specs[code] = definition.clamp(round_for_unit(float(value), definition.unit))
    new_price = interpolate(profile.price_eur, size) * maker.price_factor * (1 + rng.uniform(-0.05, 0.05))
    return ModelPlan(
        slug=slug,
        maker=maker.slug,
        category=category.slug,
        model_number=number,
        size=size,
        production_start=start,
        production_end=end,
        specs=specs,
        new_price_eur=new_price,
    )


def build_catalogue() -> Catalogue:
    categories = tuple(_categories(_read("categories.json")))
    makers = tuple(
        MakerPlan(
            slug=row["slug"],
            name=row["name"],
            names=row["names"],
            country=row["country"],
            price_factor=float(row["price_factor"]),
            serial_style=row["serial"],
            wmi=row.get("wmi", row["name"][:3].upper()),
        )
        for row in _read("makers.json")
    )
    specs = _read("specs.json")
    spec_categories = tuple(
        SpecCategoryPlan(code=row["code"], names=row["names"], position=position)
        for position, row in enumerate(specs["spec_categories"])
    )
    spec_definitions = tuple(_spec_definitions(specs["definitions"]))
    profiles = {name: _profile(row) for name, row in _read("profiles.json").items()}
    definitions = {definition.code: definition for definition in spec_definitions}
    category_by_slug = {category.slug: category for category in categories}
    maker_by_slug = {maker.slug: maker for maker in makers}
    models: list[ModelPlan] = []
    for name in FAMILY_FILES:
        for family in _read(name):
            category = category_by_slug[family["category"]]
            if category.profile is None:
                raise ValueError(f"{name}: models belong in leaf categories, not {category.slug!r}")
            profile = profiles[category.profile]
            maker = maker_by_slug[family["maker"]]
            for entry in _family_entries(family):
                models.append(_model(maker, category, profile, definitions, entry, family.get("specs", {})))
    slugs = [model.slug for model in models]
    if len(slugs) != len(set(slugs)):
        duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        raise ValueError(f"duplicate model slugs in the catalogue data: {', '.join(duplicates)}")
    return Catalogue(
        categories=categories,
        makers=makers,
        spec_categories=spec_categories,
        spec_definitions=spec_definitions,
        models=tuple(models),
        profiles=profiles,
    )
