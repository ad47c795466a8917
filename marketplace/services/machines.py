"""Writing listings. Each service takes typed, already well-formed values (the API's and the
pages' input serializers check shape, types and bounds), checks what only the database knows
(the model exists, the user may change this listing, the status allows it), then mutates in
one transaction and announces the change through the outbox (search and graph follow after
commit)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from core.money import Money
from events import producers as events
from events.emit import acting
from marketplace.models import (
    Condition,
    Country,
    Currency,
    Machine,
    MachineModel,
    MachineSpecValue,
    MachineStatus,
    SpecDefinition,
    SpecKind,
    User,
)
from marketplace.models.machines import SEARCHABLE_STATUSES
from marketplace.money import to_pivot
from marketplace.services.outbox import outbox_alert, outbox_enqueue


class Unset(enum.Enum):
    """A field a partial update leaves as it is."""

    UNSET = "unset"


UNSET = Unset.UNSET

# status -> statuses it may move to through the listing services (auctions manage in_auction)
TRANSITIONS: dict[str, frozenset[str]] = {
    MachineStatus.DRAFT: frozenset({MachineStatus.PUBLISHED}),
    MachineStatus.PUBLISHED: frozenset({MachineStatus.DRAFT, MachineStatus.RESERVED, MachineStatus.SOLD}),
    MachineStatus.RESERVED: frozenset({MachineStatus.PUBLISHED, MachineStatus.SOLD}),
    MachineStatus.SOLD: frozenset(),
    MachineStatus.IN_AUCTION: frozenset(),
}


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise UnprocessableError(
                "The listing refers to what does not exist.", fields=self.fields, code="unprocessable"
            )


def _model(model_id: int, errors: _Errors) -> MachineModel | None:
    model = MachineModel.objects.select_related("maker").filter(pk=model_id).first()
    if model is None:
        errors.add("model", "There is no model with this id.")
    return model


def _check_references(*, country: str | Unset, price: Money | Unset, errors: _Errors) -> None:
    if isinstance(country, str) and not Country.objects.filter(pk=country).exists():
        errors.add("country", "Is not a country this marketplace knows.")
    if isinstance(price, Money) and not Currency.objects.filter(pk=price.currency).exists():
        errors.add("price", f"{price.currency} is not a currency this marketplace takes.")


def _spec_rows(machine: Machine, specs: Mapping[str, float | str], errors: _Errors) -> list[MachineSpecValue]:
    definitions = {d.code: d for d in SpecDefinition.objects.filter(code__in=list(specs))}
    rows = []
    for code, value in specs.items():
        definition = definitions.get(code)
        if definition is None:
            errors.add(f"specs.{code}", "There is no such spec.")
            continue
        number = definition.kind == SpecKind.NUMBER
        rows.append(
            MachineSpecValue(
                machine=machine,
                definition=definition,
                value_number=float(value) if number else None,
                value_text="" if number else str(value),
            )
        )
    return rows


def _locked_machine_for(actor: User, machine_id: int) -> Machine:
    """The listing, locked FOR UPDATE, if `actor` may change it (its seller or staff)."""
    machine = Machine.objects.select_for_update().filter(pk=machine_id).first()
    if machine is None or (not machine.is_visible and machine.seller_id != actor.pk and not actor.is_staff):
        raise NotFoundError("No such listing.")
    if machine.seller_id != actor.pk and not actor.is_staff:
        raise ForbiddenError("Only the seller of this listing can change it.", code="not_owner")
    return machine


def _set_price(machine: Machine, price: Money) -> None:
    machine.price_amount = price.minor
    machine.price_currency_id = price.currency
    machine.price_pivot = to_pivot(price.minor, price.currency)


@transaction.atomic
def machine_create(
    *,
    seller: User,
    model_id: int,
    year: int,
    country: str,
    price: Money,
    title: Mapping[str, str],
    hours: int | None = None,
    serial_number: str = "",
    condition: str = Condition.GOOD,
    region: str = "",
    description: Mapping[str, str] | None = None,
    specs: Mapping[str, float | str] | None = None,
) -> Machine:
    """A draft listing of `seller`'s, with its own spec values."""
    if not seller.is_seller:
        raise ForbiddenError("Only seller accounts can list machines.", code="not_a_seller")
    errors = _Errors()
    model = _model(model_id, errors)
    _check_references(country=country, price=price, errors=errors)
    machine = Machine(
        seller=seller,
        model=model,
        year=year,
        hours=hours,
        serial_number=serial_number,
        condition=condition,
        country_id=country,
        region=region,
        title=dict(title),
        description=dict(description or {}),
    )
    _set_price(machine, price)
    rows = _spec_rows(machine, specs or {}, errors)
    errors.raise_if_any()
    machine.save()
    MachineSpecValue.objects.bulk_create(rows)
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    events.seller_created_machine(
        machine_id=machine.pk,
        model_id=machine.model_id,
        category=machine.model.category.slug,
        year=machine.year,
        price=price,
        actor=acting(seller.pk),
    )
    return machine


@transaction.atomic
def machine_update(
    *,
    actor: User,
    machine_id: int,
    model_id: int | Unset = UNSET,
    year: int | Unset = UNSET,
    country: str | Unset = UNSET,
    price: Money | Unset = UNSET,
    title: Mapping[str, str] | Unset = UNSET,
    hours: int | Unset | None = UNSET,
    serial_number: str | Unset = UNSET,
    condition: str | Unset = UNSET,
    region: str | Unset = UNSET,
    description: Mapping[str, str] | Unset = UNSET,
    specs: Mapping[str, float | str] | Unset = UNSET,
) -> Machine:
    """Change the given fields of a listing; `specs` replaces all of the listing's own values.
    Only its seller (or staff) may; a sold listing no longer changes."""
    machine = _locked_machine_for(actor, machine_id)
    if machine.status == MachineStatus.SOLD:
        raise ConflictError("A sold listing can no longer be changed.", code="listing_sold")
    old_price = machine.price
    errors = _Errors()
    if not isinstance(model_id, Unset):
        machine.model = _model(model_id, errors)  # type: ignore[assignment]
    _check_references(country=country, price=price, errors=errors)
    plain: dict[str, Any] = {
        "year": year,
        "hours": hours,
        "serial_number": serial_number,
        "condition": condition,
        "country_id": country,
        "region": region,
    }
    for field, value in plain.items():
        if not isinstance(value, Unset):
            setattr(machine, field, value)
    if not isinstance(title, Unset):
        machine.title = dict(title)
    if not isinstance(description, Unset):
        machine.description = dict(description)
    if not isinstance(price, Unset):
        _set_price(machine, price)
    rows = None if isinstance(specs, Unset) else _spec_rows(machine, specs, errors)
    errors.raise_if_any()
    machine.save()
    if rows is not None:
        MachineSpecValue.objects.filter(machine=machine).delete()
        MachineSpecValue.objects.bulk_create(rows)
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    if machine.price != old_price:
        events.seller_changed_price(
            machine_id=machine.pk, old_price=old_price, new_price=machine.price, actor=acting(actor.pk)
        )
        if machine.status in SEARCHABLE_STATUSES:
            outbox_alert(
                happened="machine_price_changed",
                entity_id=machine.pk,
                payload={"old_price": old_price.to_json(), "new_price": machine.price.to_json()},
            )
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
    if target == MachineStatus.PUBLISHED:
        events.seller_published_machine(machine_id=machine.pk, price=machine.price, actor=acting(actor.pk))
        outbox_alert(happened="machine_published", entity_id=machine.pk)
    if target == MachineStatus.SOLD:
        outbox_alert(happened="machine_sold", entity_id=machine.pk)
    return machine


def machine_for_auction(*, seller: User, machine_id: int) -> Machine:
    """The seller's published listing, locked FOR UPDATE, ready to go up for auction; the
    caller puts it in auction with `machine_enter_auction` in the same transaction."""
    machine = Machine.objects.select_for_update().filter(pk=machine_id).first()
    if machine is None:
        raise NotFoundError("No such listing.")
    if machine.seller_id != seller.pk:
        raise ForbiddenError("Only the seller of this listing can auction it.", code="not_owner")
    if machine.status != MachineStatus.PUBLISHED:
        raise ConflictError("Only a published listing can be auctioned.", code="listing_not_published")
    return machine


def machine_enter_auction(*, machine: Machine) -> None:
    """The listing (locked by `machine_for_auction`) is in auction until it closes."""
    machine.status = MachineStatus.IN_AUCTION
    machine.save(update_fields=["status", "updated_at"])
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])


def machine_leave_auction(*, machine_id: int, sold: bool) -> Machine:
    """The auction closed: the listing is sold, or published again. Takes the listing's row
    lock; call within the transaction that closes the auction."""
    machine = Machine.objects.select_for_update().get(pk=machine_id)
    machine.status = MachineStatus.SOLD if sold else MachineStatus.PUBLISHED
    machine.save(update_fields=["status", "updated_at"])
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    if sold:
        outbox_alert(happened="machine_sold", entity_id=machine.pk)
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


def machine_view_record(*, machine_id: int, search_event_id: str | None, position: int | None) -> None:
    """A visitor opened the listing's page: its view, and the click on the search result it
    came from when the link said so (`sr`, the search event's id, and `pos`)."""
    came_from_search = search_event_id is not None and position is not None
    if search_event_id is not None and position is not None:
        events.buyer_clicked_search_result(
            machine_id=machine_id, position=position, search_event_id=search_event_id
        )
    events.buyer_viewed_machine(
        machine_id=machine_id,
        position=position if came_from_search else None,
        search_event_id=search_event_id if came_from_search else None,
    )
