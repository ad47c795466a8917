"""Writing listings. Each service validates everything first, then mutates in one transaction
and announces the change through the outbox (search and graph follow after commit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError, ForbiddenError, NotFoundError
from marketplace.models import (
    Condition,
    Country,
    Currency,
    Machine,
    MachineModel,
    MachineSpecValue,
    MachineStatus,
    User,
)
from marketplace.money import to_pivot
from marketplace.services.outbox import outbox_enqueue
from marketplace.services.validation import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    CleanSpec,
    FieldErrors,
    clean_hours,
    clean_price,
    clean_specs,
    clean_texts,
    clean_year,
)

EDITABLE_FIELDS = frozenset(
    {
        "model",
        "year",
        "hours",
        "serial_number",
        "condition",
        "country",
        "region",
        "price",
        "title",
        "description",
        "specs",
    }
)

# status -> statuses it may move to through the listing services (auctions manage in_auction)
TRANSITIONS: dict[str, frozenset[str]] = {
    MachineStatus.DRAFT: frozenset({MachineStatus.PUBLISHED}),
    MachineStatus.PUBLISHED: frozenset({MachineStatus.DRAFT, MachineStatus.RESERVED, MachineStatus.SOLD}),
    MachineStatus.RESERVED: frozenset({MachineStatus.PUBLISHED, MachineStatus.SOLD}),
    MachineStatus.SOLD: frozenset(),
    MachineStatus.IN_AUCTION: frozenset(),
}


def _clean(data: dict[str, Any], errors: FieldErrors, *, partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    unknown = set(data) - EDITABLE_FIELDS
    for field in sorted(unknown):
        errors.add(field, "Is not a field of a listing.")
    if "model" in data or not partial:
        model = (
            MachineModel.objects.select_related("maker").filter(pk=data.get("model")).first()
            if isinstance(data.get("model"), int)
            else None
        )
        if model is None:
            errors.add("model", "Unknown model.")
        clean["model"] = model
    if "year" in data or not partial:
        clean["year"] = clean_year(data.get("year"), errors)
    if "hours" in data:
        clean["hours"] = clean_hours(data.get("hours"), errors)
    if "serial_number" in data:
        serial = data["serial_number"]
        if not isinstance(serial, str) or len(serial) > 80:
            errors.add("serial_number", "Must be a text of at most 80 characters.")
        clean["serial_number"] = serial
    if "condition" in data:
        if data["condition"] not in Condition.values:
            errors.add("condition", f"Must be one of: {', '.join(Condition.values)}.")
        clean["condition"] = data["condition"]
    if "country" in data or not partial:
        country = (
            Country.objects.filter(pk=data.get("country")).first()
            if isinstance(data.get("country"), str)
            else None
        )
        if country is None:
            errors.add("country", "Unknown country code (ISO 3166-1 alpha-2).")
        clean["country"] = country
    if "region" in data:
        if not isinstance(data["region"], str) or len(data["region"]) > 120:
            errors.add("region", "Must be a text of at most 120 characters.")
        clean["region"] = data["region"]
    if "price" in data or not partial:
        currencies = set(Currency.objects.values_list("code", flat=True))
        clean["price"] = clean_price(data.get("price"), currencies, errors)
    if "title" in data or not partial:
        clean["title"] = clean_texts("title", data.get("title"), MAX_TITLE_LENGTH, errors, required=True)
    if "description" in data:
        clean["description"] = clean_texts(
            "description", data.get("description"), MAX_DESCRIPTION_LENGTH, errors, required=False
        )
    if "specs" in data:
        clean["specs"] = clean_specs(data.get("specs"), errors)
    return clean


def _apply(machine: Machine, clean: dict[str, Any]) -> None:
    for field in (
        "model",
        "year",
        "hours",
        "serial_number",
        "condition",
        "country",
        "region",
        "title",
        "description",
    ):
        if field in clean:
            setattr(machine, field, clean[field])
    if "price" in clean:
        amount, currency = clean["price"]
        machine.price_amount = amount
        machine.price_currency_id = currency
        machine.price_pivot = to_pivot(amount, currency)


def _replace_specs(machine: Machine, specs: list[CleanSpec]) -> None:
    MachineSpecValue.objects.filter(machine=machine).delete()
    MachineSpecValue.objects.bulk_create(
        [
            MachineSpecValue(
                machine=machine, definition=s.definition, value_number=s.value_number, value_text=s.value_text
            )
            for s in specs
        ]
    )


def _locked_machine_for(actor: User, machine_id: int) -> Machine:
    """The listing, locked FOR UPDATE, if `actor` may change it (its seller or staff)."""
    machine = Machine.objects.select_for_update().filter(pk=machine_id).first()
    if machine is None or (not machine.is_visible and machine.seller_id != actor.pk and not actor.is_staff):
        raise NotFoundError("No such listing.")
    if machine.seller_id != actor.pk and not actor.is_staff:
        raise ForbiddenError("Only the seller of this listing can change it.", code="not_owner")
    return machine


@transaction.atomic
def machine_create(*, seller: User, data: dict[str, Any]) -> Machine:
    if not seller.is_seller:
        raise ForbiddenError("Only seller accounts can list machines.", code="not_a_seller")
    errors = FieldErrors()
    clean = _clean(data, errors, partial=False)
    errors.raise_if_any()
    machine = Machine(seller=seller)
    _apply(machine, clean)
    machine.save()
    _replace_specs(machine, clean.get("specs", []))
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    return machine


@transaction.atomic
def machine_update(*, actor: User, machine_id: int, data: dict[str, Any]) -> Machine:
    machine = _locked_machine_for(actor, machine_id)
    if machine.status == MachineStatus.SOLD:
        raise ConflictError("A sold listing can no longer be changed.", code="listing_sold")
    errors = FieldErrors()
    clean = _clean(data, errors, partial=True)
    errors.raise_if_any()
    _apply(machine, clean)
    machine.save()
    if "specs" in clean:
        _replace_specs(machine, clean["specs"])
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    return machine


def _transition(actor: User, machine_id: int, target: str) -> Machine:
    machine = _locked_machine_for(actor, machine_id)
    if target not in TRANSITIONS[machine.status]:
        raise ConflictError(
            f"A {machine.get_status_display().lower()} listing cannot become {MachineStatus(target).label.lower()}.",
            code="invalid_transition",
        )
    machine.status = target
    if target == MachineStatus.PUBLISHED and machine.published_at is None:
        machine.published_at = timezone.now()
    machine.save(update_fields=["status", "published_at", "updated_at"])
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    return machine


@transaction.atomic
def machine_publish(*, actor: User, machine_id: int) -> Machine:
    return _transition(actor, machine_id, MachineStatus.PUBLISHED)


@transaction.atomic
def machine_unpublish(*, actor: User, machine_id: int) -> Machine:
    return _transition(actor, machine_id, MachineStatus.DRAFT)


@transaction.atomic
def machine_mark_sold(*, actor: User, machine_id: int) -> Machine:
    return _transition(actor, machine_id, MachineStatus.SOLD)
