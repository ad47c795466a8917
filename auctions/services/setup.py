"""Putting a listing up for auction."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from auctions.models import Auction, AuctionKind
from auctions.rules import AuctionKind as RulesKind
from auctions.rules import AuctionState, AuctionTerms, RulesError, default_increments
from auctions.rules import Money as RulesMoney
from core.errors import ConflictError, UnprocessableError
from core.money import Money
from events import producers as events
from events.emit import acting
from marketplace.models import User
from marketplace.services import machine_enter_auction, machine_for_auction

MAX_DURATION = timedelta(days=30)
MAX_EXTENSION_SECONDS = 3600
DEFAULT_EXTENSION_SECONDS = 120


def _terms_problems(
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    extension_seconds: int,
    starting_price: Money,
    reserve_price: Money | None,
    now: datetime,
) -> dict[str, list[str]]:
    """What is wrong with the terms, by field: the rules between fields that no schema states."""
    problems: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        problems["ends_at"] = ["Must be after starts_at."]
    elif ends_at - starts_at > MAX_DURATION:
        problems["ends_at"] = ["An auction lasts at most 30 days."]
    elif ends_at <= now:
        problems["ends_at"] = ["Must be in the future."]
    if kind == AuctionKind.SOFT_CLOSE and not 1 <= extension_seconds <= MAX_EXTENSION_SECONDS:
        problems["extension_seconds"] = [
            f"A soft-close auction extends by 1 to {MAX_EXTENSION_SECONDS} seconds."
        ]
    if kind == AuctionKind.SUDDEN_DEATH and extension_seconds != 0:
        problems["extension_seconds"] = ["A sudden-death auction never extends."]
    if reserve_price is not None and reserve_price.currency != starting_price.currency:
        problems["reserve_price"] = [f"Must be in {starting_price.currency}, the auction's currency."]
    return problems


@transaction.atomic
def auction_create(
    *,
    seller: User,
    machine_id: int,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    starting_price: Money,
    reserve_price: Money | None = None,
    extension_seconds: int | None = None,
    now: datetime | None = None,
) -> Auction:
    """The seller of a published machine puts it up for auction, in the starting price's
    currency. Holds the machine's row lock while checking that it has no other open auction."""
    now = now or timezone.now()
    machine = machine_for_auction(seller=seller, machine_id=machine_id)
    if extension_seconds is None:
        extension_seconds = 0 if kind == AuctionKind.SUDDEN_DEATH else DEFAULT_EXTENSION_SECONDS
    problems = _terms_problems(
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        extension_seconds=extension_seconds,
        starting_price=starting_price,
        reserve_price=reserve_price,
        now=now,
    )
    if problems:
        raise UnprocessableError(
            "The auction's terms do not fit together.", fields=problems, code="invalid_terms"
        )
    currency = starting_price.currency
    try:
        terms = AuctionTerms(
            auction_id="pending",
            kind=RulesKind(kind),
            currency=currency,
            starting_price=RulesMoney(starting_price.minor, currency),
            reserve=RulesMoney(reserve_price.minor, currency) if reserve_price else None,
            increments=default_increments(currency),
            starts_at=starts_at,
            ends_at=ends_at,
            soft_close_seconds=extension_seconds if kind == AuctionKind.SOFT_CLOSE else 0,
        )
    except RulesError as error:  # what the bidding rules cannot run (a currency without increments…)
        raise UnprocessableError(
            str(error), fields={"starting_price": [str(error)]}, code="invalid_terms"
        ) from None
    if Auction.objects.filter(machine=machine, closed_at__isnull=True).exists():
        raise ConflictError("This listing already has an open auction.", code="auction_exists")
    auction = Auction.objects.create(
        machine=machine,
        seller=seller,
        kind=kind,
        currency=currency,
        starting_price=starting_price.minor,
        reserve_price=reserve_price.minor if reserve_price else None,
        starts_at=starts_at,
        scheduled_end=ends_at,
        extension_seconds=terms.soft_close_seconds,
        state={},
        ends_at=ends_at,
    )
    terms = dataclasses.replace(terms, auction_id=str(auction.pk))
    auction.state = AuctionState.initial(terms).to_dict()
    auction.save(update_fields=["state"])
    machine_enter_auction(machine=machine)
    events.seller_started_auction(
        auction_id=auction.pk,
        machine_id=machine.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        starting_price=starting_price,
        has_reserve=reserve_price is not None,
        actor=acting(seller.pk),
    )
    return auction
