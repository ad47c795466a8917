"""Reads of the catalogue, shared by the API, the pages and the projections."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from core.errors import NotFoundError
from marketplace.models import (
    Machine,
    MachineSpecValue,
    ModelSpecValue,
    Photo,
    SpecDefinition,
    User,
    WatchlistEntry,
)
from marketplace.models.machines import VISIBLE_STATUSES


@dataclass(frozen=True)
class EffectiveSpec:
    definition: SpecDefinition
    value_number: float | None
    value_text: str
    from_machine: bool  # the seller's own value rather than the model's catalogue value


def machines_with_relations(queryset: QuerySet[Machine] | None = None) -> QuerySet[Machine]:
    queryset = queryset if queryset is not None else Machine.objects.all()
    return queryset.select_related(
        "seller", "seller__country", "model", "model__maker", "model__category", "country", "price_currency"
    ).prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
        Prefetch(
            "spec_values", queryset=MachineSpecValue.objects.select_related("definition__spec_category")
        ),
        Prefetch(
            "model__spec_values", queryset=ModelSpecValue.objects.select_related("definition__spec_category")
        ),
    )


def machines_visible_to(viewer: User | None) -> QuerySet[Machine]:
    """Published listings for everyone; a seller also sees their own drafts; staff see all."""
    if viewer is not None and viewer.is_authenticated and viewer.is_staff:
        return Machine.objects.all()
    condition = Q(status__in=VISIBLE_STATUSES)
    if viewer is not None and viewer.is_authenticated:
        condition |= Q(seller=viewer)
    return Machine.objects.filter(condition)


def machine_get(*, machine_id: int, viewer: User | None) -> Machine:
    machine = (
        machines_with_relations(machines_visible_to(viewer))
        .annotate(watcher_count=Count("watchers", distinct=True))
        .filter(pk=machine_id)
        .first()
    )
    if machine is None:
        raise NotFoundError("No such listing.")
    return machine


def effective_specs(machine: Machine) -> list[EffectiveSpec]:
    """The model's catalogue values, overridden or extended by the machine's own values,
    in spec-category then spec order."""
    by_code: dict[str, EffectiveSpec] = {}
    for value in machine.model.spec_values.all():
        by_code[value.definition.code] = EffectiveSpec(
            value.definition, value.value_number, value.value_text, False
        )
    for value in machine.spec_values.all():
        by_code[value.definition.code] = EffectiveSpec(
            value.definition, value.value_number, value.value_text, True
        )
    return sorted(
        by_code.values(),
        key=lambda spec: (
            spec.definition.spec_category.position,
            spec.definition.position,
            spec.definition.code,
        ),
    )


def watchlist_for(user: User) -> QuerySet[WatchlistEntry]:
    return (
        WatchlistEntry.objects.filter(user=user, machine__status__in=VISIBLE_STATUSES)
        .select_related("machine", "machine__model", "machine__model__maker", "machine__price_currency")
        .prefetch_related(Prefetch("machine__photos", queryset=Photo.objects.order_by("position", "id")))
    )


def is_watching(user: User | None, machine_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return WatchlistEntry.objects.filter(user=user, machine_id=machine_id).exists()
