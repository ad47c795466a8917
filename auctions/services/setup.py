"""Putting a listing up for auction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auctions.models import Auction, AuctionKind
from auctions.rules import AuctionKind as RulesKind
from auctions.rules import AuctionState, AuctionTerms, Money, default_increments
from core.errors import ConflictError, ForbiddenError, NotFoundError
from marketplace.models import Machine, MachineStatus, User
from marketplace.services.validation import FieldErrors

MAX_DURATION = timedelta(days=30)
MAX_EXTENSION_SECONDS = 3600


def _when(value: Any, field: str, errors: FieldErrors) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        errors.add(field, "Must be an ISO 8601 date-time with a time zone.")
        return None
    return parsed


def _money(
    value: Any, field: str, currency: str | None, errors: FieldErrors, *, required: bool
) -> Money | None:
    if value is None and not required:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("amount"), int)
        or isinstance(value.get("amount"), bool)
    ):
        errors.add(field, 'Must be {"amount": <minor units>, "currency": "EUR"}.')
        return None
    if value["amount"] <= 0:
        errors.add(field, "Must be positive.")
        return None
    if currency is not None and value.get("currency") != currency:
        errors.add(field, f"Must be in {currency}, the auction's currency.")
        return None
    return Money(value["amount"], str(value.get("currency")))


@transaction.atomic
def auction_create(*, seller: User, data: dict[str, Any], now: datetime | None = None) -> Auction:
    """The seller of a published machine puts it up for auction. Holds the machine's row lock
    while checking that it has no other open auction."""
    now = now or timezone.now()
    machine = (
        Machine.objects.select_for_update().filter(pk=data.get("machine")).first()
        if isinstance(data.get("machine"), int)
        else None
    )
    if machine is None:
        raise NotFoundError("No such listing.")
    if machine.seller_id != seller.pk:
        raise ForbiddenError("Only the seller of this listing can auction it.", code="not_owner")
    if machine.status != MachineStatus.PUBLISHED:
        raise ConflictError("Only a published listing can be auctioned.", code="listing_not_published")
    errors = FieldErrors()
    kind = data.get("kind")
    if kind not in AuctionKind.values:
        errors.add("kind", f"Must be one of: {', '.join(AuctionKind.values)}.")
    starts_at, ends_at = (
        _when(data.get("starts_at"), "starts_at", errors),
        _when(data.get("ends_at"), "ends_at", errors),
    )
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors.add("ends_at", "Must be after starts_at.")
        elif ends_at - starts_at > MAX_DURATION:
            errors.add("ends_at", "An auction lasts at most 30 days.")
        if ends_at <= now:
            errors.add("ends_at", "Must be in the future.")
    extension = data.get("extension_seconds", 0 if kind == AuctionKind.SUDDEN_DEATH else 120)
    if kind == AuctionKind.SOFT_CLOSE and (
        not isinstance(extension, int) or not 1 <= extension <= MAX_EXTENSION_SECONDS
    ):
        errors.add(
            "extension_seconds", f"A soft-close auction extends by 1 to {MAX_EXTENSION_SECONDS} seconds."
        )
    if kind == AuctionKind.SUDDEN_DEATH and extension not in (0, None):
        errors.add("extension_seconds", "A sudden-death auction never extends.")
    starting = _money(data.get("starting_price"), "starting_price", None, errors, required=True)
    currency = starting.currency if starting else None
    reserve = _money(data.get("reserve_price"), "reserve_price", currency, errors, required=False)
    errors.raise_if_any()
    assert starting is not None
    assert starts_at is not None
    assert ends_at is not None
    try:
        terms = AuctionTerms(
            auction_id="pending",
            kind=RulesKind(kind),
            currency=starting.currency,
            starting_price=starting,
            reserve=reserve,
            increments=default_increments(starting.currency),
            starts_at=starts_at,
            ends_at=ends_at,
            soft_close_seconds=extension if kind == AuctionKind.SOFT_CLOSE else 0,
        )
    except Exception as error:  # the rules refuse what they cannot run (unknown currency, …)
        errors.add("starting_price", str(error))
        errors.raise_if_any()
        raise
    if Auction.objects.filter(machine=machine, closed_at__isnull=True).exists():
        raise ConflictError("This listing already has an open auction.", code="auction_exists")
    auction = Auction.objects.create(
        machine=machine,
        seller=seller,
        kind=kind,
        currency=starting.currency,
        starting_price=starting.amount,
        reserve_price=reserve.amount if reserve else None,
        starts_at=starts_at,
        scheduled_end=ends_at,
        extension_seconds=terms.soft_close_seconds,
        state={},
        ends_at=ends_at,
    )
    terms = AuctionTerms(
        **{**{f: getattr(terms, f) for f in terms.__dataclass_fields__}, "auction_id": str(auction.pk)}
    )
    auction.state = AuctionState.initial(terms).to_dict()
    auction.save(update_fields=["state"])
    machine.status = MachineStatus.IN_AUCTION
    machine.save(update_fields=["status", "updated_at"])
    from marketplace.services.outbox import outbox_enqueue

    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    return auction
