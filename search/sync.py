"""The search projection: machines changed in PostgreSQL become documents in the engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from elasticsearch import helpers

from graph.rows import facetable_specs
from graph.versions import bump_projection_version
from marketplace.models.machines import SEARCHABLE_STATUSES
from marketplace.sql import any_of
from search.client import get_client
from search.documents import DOCUMENT_COLUMNS, build_document
from search.indices import MACHINES, alias_name


def category_chains() -> dict[int, list[Any]]:
    from marketplace.models import Category

    categories = {category.pk: category for category in Category.objects.all()}
    chains: dict[int, list[Any]] = {}
    for category in categories.values():
        chain = [category]
        while chain[0].parent_id is not None:
            chain.insert(0, categories[chain[0].parent_id])
        chains[category.pk] = chain
    return chains


def machine_actions(
    machine_ids: Iterable[int], index: str, chains: dict[int, list[Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """Bulk actions bringing `index` in line with the current rows: index what buyers may
    see, delete what they may not (drafts, sold, deleted rows)."""
    from marketplace.models import Machine, MachineModel

    wanted = set(machine_ids)
    chains = chains if chains is not None else category_chains()
    # Only what a document needs, as plain rows; of the specs, the effective values of the
    # facetable ones (the engine applies spec filters) and the cohort they make.
    rows = list(Machine.objects.filter(pk__in=any_of(wanted)).values(*DOCUMENT_COLUMNS))
    visible = [row for row in rows if row["status"] in SEARCHABLE_STATUSES]
    models = MachineModel.objects.select_related("maker").in_bulk({row["model_id"] for row in visible})
    covers = cover_photos([row["id"] for row in visible])
    specs = facetable_specs((row["id"], row["model_id"]) for row in visible)
    for row in visible:
        model = models[row["model_id"]]
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": row["id"],
            "_source": build_document(
                row, model, chains[model.category_id], covers.get(row["id"]), specs[row["id"]]
            ),
        }
    for missing in wanted - {row["id"] for row in visible}:
        yield {"_op_type": "delete", "_index": index, "_id": missing}


def cover_photos(machine_ids: list[int]) -> dict[int, str]:
    """The thumbnail URL of each machine's first photo (by position), for those that have one."""
    from marketplace.models import Photo

    storage = Photo._meta.get_field("thumbnail").storage  # type: ignore[union-attr]
    firsts = (
        Photo.objects.filter(machine_id__in=any_of(machine_ids))
        .order_by("machine_id", "position", "id")
        .distinct("machine_id")
        .values_list("machine_id", "thumbnail")
    )
    return {machine_id: storage.url(name) for machine_id, name in firsts}


def showing(changes: dict[str, set[int]]) -> set[int]:
    """Machines whose documents show a changed model, maker or category (its names, model
    number, category path; a category counts for every listing in its subtree), or whose
    cohort a changed model or spec definition may move."""
    from django.db.models import Q

    from marketplace.models import Category, Machine

    if not any(changes.get(entity) for entity in ("model", "maker", "category", "spec")):
        return set()
    subtree = Q(pk__in=changes.get("category", ()))
    for path in Category.objects.filter(pk__in=changes.get("category", ())).values_list("path", flat=True):
        subtree |= Q(path__startswith=f"{path}/")
    wanted = Q(model_id__in=changes.get("model", ())) | Q(model__maker_id__in=changes.get("maker", ()))
    if changes.get("spec"):  # a spec that becomes or stops being facetable moves its machines' cohorts
        specs = changes["spec"]
        wanted |= Q(spec_values__definition_id__in=specs) | Q(model__spec_values__definition_id__in=specs)
    if changes.get("category"):
        wanted |= Q(model__category__in=Category.objects.filter(subtree))
    return set(Machine.objects.filter(wanted).values_list("pk", flat=True).distinct())


def apply_changes(changes: dict[str, set[int]]) -> None:
    """Outbox projection for the `search` topic: the changed machines and every machine
    showing a changed model, maker or category."""
    machine_ids = set(changes.get("machine", ())) | showing(changes)
    if not machine_ids:
        return
    _, errors = helpers.bulk(
        get_client(),
        machine_actions(machine_ids, alias_name(MACHINES)),
        raise_on_error=False,
        stats_only=False,
    )
    failures = [error for error in errors if not is_missing_delete(error)]  # type: ignore[union-attr]
    if failures:
        raise RuntimeError(f"{len(failures)} search documents failed: {failures[:3]}")
    bump_projection_version()  # the spec facets of a text search count over these documents


def is_missing_delete(error: dict[str, Any]) -> bool:
    delete = error.get("delete") or {}
    return bool(delete.get("status") == 404)
