"""Reads of the catalogue, shared by the API, the pages and the projections."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from core.errors import NotFoundError
from marketplace.models import (
    Enquiry,
    EnquiryMessage,
    Machine,
    MachineStatus,
    Photo,
    SpecDefinition,
    User,
    WatchlistEntry,
)
from marketplace.models.machines import SEARCHABLE_STATUSES, VISIBLE_STATUSES
from marketplace.valuation import Peer, Valuation, valuations


@dataclass(frozen=True)
class EffectiveSpec:
    definition: SpecDefinition
    value_number: float | None
    value_text: str
    from_machine: bool  # the seller's own value rather than the model's catalogue value


DEFINITIONS_TTL_SECONDS = 60.0
_definitions: tuple[float, dict[int, SpecDefinition]] | None = None


def spec_definitions() -> dict[int, SpecDefinition]:
    """Every spec definition by id, with its spec category. A few dozen rows that staff change
    seldom: each process reads them again after a minute, rather than every listing's every
    value carrying a copy of its definition (a page of 100 listings made two thousand)."""
    global _definitions
    if _definitions is None or time.monotonic() - _definitions[0] > DEFINITIONS_TTL_SECONDS:
        rows = SpecDefinition.objects.select_related("spec_category")
        _definitions = (time.monotonic(), {definition.pk: definition for definition in rows})
    return _definitions[1]


def clear_definition_cache() -> None:
    global _definitions
    _definitions = None


def machines_with_relations(queryset: QuerySet[Machine] | None = None) -> QuerySet[Machine]:
    """Listings with what a page shows of them; spec values without their definitions, which
    `effective_specs` takes from `spec_definitions`."""
    queryset = queryset if queryset is not None else Machine.objects.all()
    return queryset.select_related(
        "seller", "seller__country", "model", "model__maker", "model__category", "country", "price_currency"
    ).prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
        "spec_values",
        "model__spec_values",
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
    definitions = spec_definitions()
    by_code: dict[str, EffectiveSpec] = {}
    for values, own in ((machine.model.spec_values.all(), False), (machine.spec_values.all(), True)):
        for value in values:
            definition = definitions.get(value.definition_id)
            if definition is None:  # defined since this process last read the definitions
                clear_definition_cache()
                definition = spec_definitions()[value.definition_id]
            by_code[definition.code] = EffectiveSpec(definition, value.value_number, value.value_text, own)
    return sorted(
        by_code.values(),
        key=lambda spec: (
            spec.definition.spec_category.position,
            spec.definition.position,
            spec.definition.code,
        ),
    )


WATCHLIST_MAX = 500  # listings one buyer may watch


def watchlist_for(user: User) -> QuerySet[WatchlistEntry]:
    return (
        WatchlistEntry.objects.filter(user=user, machine__status__in=VISIBLE_STATUSES)
        .select_related("machine", "machine__model", "machine__model__maker", "machine__price_currency")
        .prefetch_related(Prefetch("machine__photos", queryset=Photo.objects.order_by("position", "id")))
    )


def watchlist_page(user: User) -> list[WatchlistEntry]:
    """Everything the buyer watches, latest first, whatever became of it (a listing taken off
    sale is shown as such, not silently dropped), with what a card shows."""
    return list(
        WatchlistEntry.objects.filter(user=user)
        .select_related("machine", "machine__model", "machine__model__maker", "machine__country")
        .prefetch_related(Prefetch("machine__photos", queryset=Photo.objects.order_by("position", "id")))
        .order_by("-created_at", "-id")[:WATCHLIST_MAX]
    )


def machines_newest(*, limit: int = 8) -> list[Machine]:
    """The latest published listings, with what a card shows of them."""
    return list(
        Machine.objects.filter(status=MachineStatus.PUBLISHED)
        .select_related("model", "model__maker", "country")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "id")))
        .order_by("-published_at", "-id")[:limit]
    )


VALUE_TTL_SECONDS = 600.0
_values: dict[int, tuple[float, dict[int, Valuation]]] = {}


def valuations_for(machine_ids: list[int]) -> dict[int, Valuation]:
    """Each listing's valuation among the listings of its model on sale
    (marketplace/valuation.py); a model's are kept ten minutes by each process. Listings of
    models with too few on sale are left out."""
    models = dict(Machine.objects.filter(pk__in=machine_ids).values_list("pk", "model_id"))
    now = time.monotonic()
    stale = {m for m in set(models.values()) if m not in _values or now - _values[m][0] > VALUE_TTL_SECONDS}
    if stale:
        peers: dict[int, list[Peer]] = {m: [] for m in stale}
        rows = Machine.objects.filter(model_id__in=stale, status__in=SEARCHABLE_STATUSES).values_list(
            "pk", "model_id", "price_pivot", "year", "hours"
        )
        for pk, model_id, price, year, hours in rows:
            peers[model_id].append(Peer(pk, price, year, hours))
        for model_id, group in peers.items():
            _values[model_id] = (now, valuations(group))
    return {
        machine_id: _values[model_id][1][machine_id]
        for machine_id, model_id in models.items()
        if machine_id in _values[model_id][1]
    }


def machine_is_visible(*, machine_id: int, viewer: User | None) -> bool:
    return machines_visible_to(viewer).filter(pk=machine_id).exists()


def watcher_count(machine_id: int) -> int:
    """How many people watch the listing."""
    return WatchlistEntry.objects.filter(machine_id=machine_id).count()


def is_watching(user: User | None, machine_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return WatchlistEntry.objects.filter(user=user, machine_id=machine_id).exists()


# ------------------------------------------------------------------ enquiries

INBOX_MAX = 200  # conversations the inbox page shows, the latest first


def enquiries_for(user: User) -> QuerySet[Enquiry]:
    """`user`'s conversations, as buyer or as seller, the latest message first, each with its
    listing and parties (the inbox; staff see their own here, and any thread by its id)."""
    return (
        Enquiry.objects.filter(Q(buyer=user) | Q(seller=user))
        .select_related("machine", "machine__model", "machine__model__maker", "buyer", "seller")
        .order_by("-last_message_at", "-id")
    )


def enquiry_get(*, enquiry_id: int, viewer: User) -> Enquiry:
    """The thread with its messages in order, if `viewer` is one of its parties or staff; to
    anyone else it does not exist."""
    enquiry = (
        Enquiry.objects.select_related(
            "machine", "machine__model", "machine__model__maker", "buyer", "seller"
        )
        .prefetch_related(Prefetch("messages", queryset=EnquiryMessage.objects.select_related("author")))
        .filter(pk=enquiry_id)
        .first()
    )
    if enquiry is None or (viewer.pk not in (enquiry.buyer_id, enquiry.seller_id) and not viewer.is_staff):
        raise NotFoundError("No such enquiry.")
    return enquiry


def enquiry_unread_count(user: User) -> int:
    """How many of `user`'s conversations have a message they have not read."""
    return Enquiry.objects.filter(
        Q(buyer=user, buyer_unread__gt=0) | Q(seller=user, seller_unread__gt=0)
    ).count()


def enquiry_of_buyer(user: User | None, machine_id: int) -> Enquiry | None:
    """The conversation `user` has started about the listing, if any."""
    if user is None:
        return None
    return Enquiry.objects.filter(buyer=user, machine_id=machine_id).first()


@dataclass(frozen=True)
class EnquiryTally:
    total: int
    unread: int


def enquiry_tallies(seller: User) -> dict[int, EnquiryTally]:
    """By listing of `seller`'s: its conversations, and how many have a message the seller has
    not read."""
    rows = (
        Enquiry.objects.filter(seller=seller)
        .values("machine_id")
        .annotate(total=Count("id"), unread=Count("id", filter=Q(seller_unread__gt=0)))
    )
    return {row["machine_id"]: EnquiryTally(row["total"], row["unread"]) for row in rows}


def seller_other_listings(seller_id: int, machine_id: int) -> int:
    """How many listings of the seller are on offer besides this one."""
    return (
        Machine.objects.filter(seller_id=seller_id, status__in=SEARCHABLE_STATUSES)
        .exclude(pk=machine_id)
        .count()
    )


SELLER_PAGE_SIZE = 24  # listings on one page of a seller's public page


def seller_get(*, seller_id: int) -> User:
    """A seller as buyers see them; anyone else (a buyer, a closed account) does not exist here."""
    seller = (
        User.objects.select_related("country").filter(pk=seller_id, is_seller=True, is_active=True).first()
    )
    if seller is None:
        raise NotFoundError("No such seller.")
    return seller


def seller_offers(seller_id: int) -> QuerySet[Machine]:
    """The seller's listings on offer (what `seller_other_listings` counts), newest first, with
    what a card shows."""
    return (
        Machine.objects.filter(seller_id=seller_id, status__in=SEARCHABLE_STATUSES)
        .select_related("model", "model__maker", "country")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "id")))
        .order_by("-published_at", "-id")
    )


def seller_listings(seller: User) -> QuerySet[Machine]:
    """The seller's listings for their dashboard, newest first, each with its watcher count."""
    return (
        machines_with_relations(Machine.objects.filter(seller=seller))
        .annotate(watcher_count=Count("watchers", distinct=True))
        .order_by("-created_at", "-id")
    )
