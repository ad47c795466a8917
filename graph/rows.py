"""PostgreSQL rows → the plain maps the graph writes send as ``UNWIND $rows``.

Reads go through `values_list`, not model instances: a full rebuild reads 100,000 machines
and over a million spec values, and building ORM objects for them would cost more than the
graph writes themselves.

A machine's spec values are its *effective* values, the rule of
`marketplace.selectors.effective_specs`: the model's catalogue values, overridden or
extended by the machine's own rows (one value per spec definition, the machine's wins).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.facets.request import FACETABLE_KINDS
from marketplace.models.machines import SEARCHABLE_STATUSES
from marketplace.sql import any_of

Row = dict[str, Any]
SpecValues = dict[int, tuple[float | None, str]]  # definition id -> (number, text)


def _spec_rows(values: SpecValues) -> tuple[list[Row], list[int]]:
    """HAS_SPEC rows (a missing number or empty text is written as no property) and the
    spec ids they cover."""
    rows = [
        {"spec_id": spec_id, "number": number, "text": text or None}
        for spec_id, (number, text) in sorted(values.items())
    ]
    return rows, sorted(values)


def effective_values(model_values: SpecValues, machine_values: SpecValues) -> SpecValues:
    return {**model_values, **machine_values}


@dataclass
class Taxonomy:
    """The catalogue's reference rows, read once per sync batch or rebuild."""

    categories: dict[int, Row] = field(default_factory=dict)
    makers: dict[int, Row] = field(default_factory=dict)
    spec_categories: dict[int, Row] = field(default_factory=dict)
    specs: dict[int, Row] = field(default_factory=dict)
    models: dict[int, Row] = field(default_factory=dict)
    model_values: dict[int, SpecValues] = field(default_factory=dict)

    def category_chain(self, category_id: int) -> list[int]:
        """The category and its ancestors, root first."""
        chain = [category_id]
        while (parent := self.categories[chain[0]]["parent_id"]) is not None:
            chain.insert(0, parent)
        return chain

    def model_rows(self, model_ids: Iterable[int]) -> list[Row]:
        rows = []
        for model_id in sorted(model_ids):
            specs, spec_ids = _spec_rows(self.model_values.get(model_id, {}))
            rows.append({**self.models[model_id], "specs": specs, "spec_ids": spec_ids})
        return rows


def load_taxonomy(model_ids: Iterable[int] | None = None) -> Taxonomy:
    """Categories, makers and spec definitions (small tables, read whole) and the models
    `model_ids` (all when None) with their catalogue spec values."""
    from marketplace.models import Category, MachineModel, Maker, ModelSpecValue, SpecCategory, SpecDefinition

    taxonomy = Taxonomy()
    for pk, slug, path, parent_id in Category.objects.values_list("id", "slug", "path", "parent_id"):
        taxonomy.categories[pk] = {"id": pk, "slug": slug, "path": path.split("/"), "parent_id": parent_id}
    for pk, slug, name in Maker.objects.values_list("id", "slug", "name"):
        taxonomy.makers[pk] = {"id": pk, "slug": slug, "name": name}
    for pk, code in SpecCategory.objects.values_list("id", "code"):
        taxonomy.spec_categories[pk] = {"id": pk, "code": code}
    for pk, code, kind, unit, spec_category_id in SpecDefinition.objects.values_list(
        "id", "code", "kind", "unit", "spec_category_id"
    ):
        taxonomy.specs[pk] = {
            "id": pk, "code": code, "kind": kind, "unit": unit or None, "spec_category_id": spec_category_id,
        }  # fmt: skip
    models = MachineModel.objects.all()
    values = ModelSpecValue.objects.all()
    if model_ids is not None:
        wanted = set(model_ids)
        models = models.filter(pk__in=wanted)
        values = values.filter(model_id__in=wanted)
    for pk, slug, model_number, maker_id, category_id in models.values_list(
        "id", "slug", "model_number", "maker_id", "category_id"
    ):
        taxonomy.models[pk] = {
            "id": pk, "slug": slug, "model_number": model_number, "maker_id": maker_id, "category_id": category_id,
        }  # fmt: skip
    for model_id, definition_id, value_number, value_text in values.values_list(
        "model_id", "definition_id", "value_number", "value_text"
    ):
        taxonomy.model_values.setdefault(model_id, {})[definition_id] = (value_number, value_text)
    return taxonomy


@dataclass
class MachineBatch:
    """Machines to write (visible ones, as rows) and ids to remove from the graph."""

    rows: list[Row]
    removed: list[int]

    @property
    def model_ids(self) -> set[int]:
        return {row["model_id"] for row in self.rows}


def machine_batch(machine_ids: Iterable[int], taxonomy: Taxonomy) -> MachineBatch:
    """Rows for the visible machines among `machine_ids`; every other id (draft, sold,
    deleted) is to be removed. `taxonomy` must hold these machines' models."""
    from marketplace.models import Machine, MachineSpecValue

    wanted = set(machine_ids)
    machines = list(
        Machine.objects.filter(pk__in=wanted, status__in=SEARCHABLE_STATUSES).values_list(
            "id", "status", "year", "hours", "price_pivot", "country_id", "model_id"
        )
    )
    own: dict[int, SpecValues] = defaultdict(dict)
    for machine_id, definition_id, number, text in MachineSpecValue.objects.filter(
        machine_id__in=[machine[0] for machine in machines]
    ).values_list("machine_id", "definition_id", "value_number", "value_text"):
        own[machine_id][definition_id] = (number, text)
    rows = []
    for machine_id, status, year, hours, price, country, model_id in machines:
        model = taxonomy.models[model_id]
        category = taxonomy.categories[model["category_id"]]
        specs, spec_ids = _spec_rows(
            effective_values(taxonomy.model_values.get(model_id, {}), own[machine_id])
        )
        rows.append({
            "id": machine_id,
            "model_id": model_id,
            "category_id": model["category_id"],
            "properties": {
                "status": status, "year": year, "hours": hours, "price_eur_cents": price, "country": country,
                "category_path": category["path"], "maker": taxonomy.makers[model["maker_id"]]["slug"],
                "model": model["slug"],
            },
            "specs": specs,
            "spec_ids": spec_ids,
        })  # fmt: skip
    visible = {row["id"] for row in rows}
    return MachineBatch(rows, sorted(wanted - visible))


def machine_model_ids(machine_ids: Iterable[int]) -> set[int]:
    from marketplace.models import Machine

    return set(Machine.objects.filter(pk__in=set(machine_ids)).values_list("model_id", flat=True).distinct())


def cohort_key(model_id: int, values: tuple[Any, ...]) -> str:
    """A cohort's name: its model and a digest of its effective values, the same whenever
    the same machines' cohort is rebuilt, and the same in the search index's documents."""
    digest = hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()
    return f"{model_id}-{digest}"


def _signature(catalogue: SpecValues, own: SpecValues, facetable: set[int]) -> tuple[Any, ...]:
    """A machine's effective values of the facetable specs, in a canonical order."""
    effective = effective_values(catalogue, own)
    return tuple(sorted((pk, value) for pk, value in effective.items() if pk in facetable))


@dataclass(frozen=True)
class Facetable:
    """What a search document carries of a machine's specs: its cohort key, and its effective
    values of the facetable specs by code (numbers in the canonical unit, enumeration codes),
    so the engine applies spec filters by the graph's rule (graph/facets)."""

    cohort: str
    numbers: dict[str, float]
    values: dict[str, str]


def facetable_specs(machines: Iterable[tuple[int, int]]) -> dict[int, Facetable]:
    """The `Facetable` of each (machine id, model id), read from PostgreSQL."""
    from marketplace.models import MachineSpecValue, ModelSpecValue, SpecDefinition

    pairs = list(machines)
    definitions = {
        pk: (code, kind)
        for pk, code, kind in SpecDefinition.objects.filter(kind__in=FACETABLE_KINDS).values_list(
            "pk", "code", "kind"
        )
    }
    facetable = set(definitions)
    catalogue: dict[int, SpecValues] = defaultdict(dict)
    for model_id, definition_id, number, text in ModelSpecValue.objects.filter(
        model_id__in=any_of({model_id for _, model_id in pairs}), definition_id__in=facetable
    ).values_list("model_id", "definition_id", "value_number", "value_text"):
        catalogue[model_id][definition_id] = (number, text)
    own: dict[int, SpecValues] = defaultdict(dict)
    for machine_id, definition_id, number, text in MachineSpecValue.objects.filter(
        machine_id__in=any_of(machine_id for machine_id, _ in pairs), definition_id__in=facetable
    ).values_list("machine_id", "definition_id", "value_number", "value_text"):
        own[machine_id][definition_id] = (number, text)
    found = {}
    for machine_id, model_id in pairs:
        effective = effective_values(catalogue[model_id], own[machine_id])
        numbers, values = {}, {}
        for pk, (number, text) in effective.items():
            code, kind = definitions[pk]
            if kind == "number" and number is not None:
                numbers[code] = float(number)
            elif kind == "enum" and text:
                values[code] = text
        found[machine_id] = Facetable(
            cohort_key(model_id, _signature(catalogue[model_id], own[machine_id], facetable)), numbers, values
        )
    return found


def cohort_rows(model_ids: Iterable[int] | None, taxonomy: Taxonomy) -> list[Row]:
    """Per model (every model in `taxonomy` when None), its visible machines grouped into
    cohorts by their effective values of the facetable specs (graph/schema.py): rows
    ``{model_id, machine_count, cohorts: [{properties, specs}]}``, where a model without
    visible machines has no cohorts. `taxonomy` must hold these models' catalogue values."""
    from marketplace.models import Machine, MachineSpecValue

    facetable = {pk for pk, spec in taxonomy.specs.items() if spec["kind"] in FACETABLE_KINDS}
    machines = Machine.objects.filter(status__in=SEARCHABLE_STATUSES)
    values = MachineSpecValue.objects.filter(
        definition_id__in=facetable, machine__status__in=SEARCHABLE_STATUSES
    )
    wanted = set(taxonomy.models) if model_ids is None else set(model_ids)
    if model_ids is not None:
        machines = machines.filter(model_id__in=wanted)
        values = values.filter(machine__model_id__in=wanted)
    own: dict[int, SpecValues] = defaultdict(dict)
    for machine_id, definition_id, number, text in values.values_list(
        "machine_id", "definition_id", "value_number", "value_text"
    ):
        own[machine_id][definition_id] = (number, text)
    # model -> effective values (sorted items) -> [machine ids, their countries]
    groups: dict[int, dict[tuple[Any, ...], tuple[list[int], list[str]]]] = defaultdict(dict)
    for machine_id, model_id, country in machines.order_by("id").values_list("id", "model_id", "country_id"):
        key = _signature(taxonomy.model_values.get(model_id, {}), own[machine_id], facetable)
        ids, countries = groups[model_id].setdefault(key, ([], []))
        ids.append(machine_id)
        countries.append(country)
    rows = []
    for model_id in sorted(wanted):
        cohorts: list[Row] = []
        for key, (ids, countries) in groups.get(model_id, {}).items():
            specs, _ = _spec_rows(dict(key))
            ordered = sorted(Counter(countries).items())
            cohorts.append({
                "properties": {
                    # the ids as one string: Bolt returns a long list of integers an order of
                    # magnitude slower than the same digits as text (graph/facets/result.py)
                    "key": cohort_key(model_id, key), "machine_count": len(ids),
                    "machine_ids": ",".join(map(str, ids)), "machine_countries": ",".join(countries),
                    "countries": [country for country, _ in ordered], "country_counts": [n for _, n in ordered],
                },
                "specs": specs,
            })  # fmt: skip
        total = sum(len(ids) for ids, _ in groups.get(model_id, {}).values())
        rows.append({"model_id": model_id, "machine_count": total, "cohorts": cohorts})
    return rows
