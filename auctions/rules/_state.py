"""The immutable state of one auction: its terms (fixed when it opens) and where the bidding
stands. Every change is a new object made by the engine; `to_dict`/`from_dict` round-trip
through plain JSON-compatible dicts for a PostgreSQL JSON column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from auctions.rules._dicts import (
    Data,
    as_data,
    read_data,
    read_datetime,
    read_int,
    read_list,
    read_optional_data,
    read_optional_str,
    read_str,
)
from auctions.rules._errors import InvalidStateError, InvalidTermsError
from auctions.rules._events import (
    AuctionEvent,
    AuctionResult,
    BidEvent,
    ClosedEvent,
    ExtendedEvent,
    event_from_dict,
)
from auctions.rules._increments import IncrementTable
from auctions.rules._money import MAX_AMOUNT, Money, minor_units
from auctions.rules._requests import BidRequest
from auctions.rules._time import as_utc

STATE_FORMAT: Final = 1


class AuctionKind(StrEnum):
    SOFT_CLOSE = "soft_close"  # a late bid pushes the end to `soft_close_seconds` after it
    SUDDEN_DEATH = "sudden_death"  # the end never moves


class AuctionStatus(StrEnum):
    NOT_STARTED = "not_started"
    OPEN = "open"
    ENDED = "ended"  # past its end, bids refused, `close` not yet called
    CLOSED = "closed"  # result recorded


@dataclass(frozen=True, slots=True, kw_only=True)
class AuctionTerms:
    """What the seller set up; never changes once bidding opens. `ends_at` is the scheduled
    end, before any soft-close extension."""

    auction_id: str
    kind: AuctionKind
    currency: str
    starting_price: Money
    reserve: Money | None
    increments: IncrementTable
    starts_at: datetime
    ends_at: datetime
    soft_close_seconds: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts_at", as_utc(self.starts_at, "starts_at"))
        object.__setattr__(self, "ends_at", as_utc(self.ends_at, "ends_at"))
        if not isinstance(self.auction_id, str) or not self.auction_id:
            raise InvalidTermsError("auction_id must be a non-empty string")
        if not isinstance(self.kind, AuctionKind):
            raise InvalidTermsError(f"kind must be an AuctionKind, got {self.kind!r}")
        minor_units(self.currency)
        for name, money in (("starting_price", self.starting_price), ("reserve", self.reserve)):
            if money is None:
                continue
            if money.currency != self.currency:
                raise InvalidTermsError(f"{name} is in {money.currency}, the auction in {self.currency}")
            if not 0 < money.amount <= MAX_AMOUNT:
                raise InvalidTermsError(f"{name} must be between 1 and {MAX_AMOUNT} minor units")
        if not isinstance(self.increments, IncrementTable):
            raise InvalidTermsError("increments must be an IncrementTable")
        if self.starts_at >= self.ends_at:
            raise InvalidTermsError("starts_at must come before ends_at")
        seconds = self.soft_close_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise InvalidTermsError("soft_close_seconds must be an int")
        if self.kind is AuctionKind.SOFT_CLOSE and seconds <= 0:
            raise InvalidTermsError("a soft-close auction needs soft_close_seconds > 0")
        if self.kind is AuctionKind.SUDDEN_DEATH and seconds != 0:
            raise InvalidTermsError("a sudden-death auction has soft_close_seconds == 0")

    def to_dict(self) -> dict[str, Any]:
        return {
            "auction_id": self.auction_id,
            "kind": self.kind.value,
            "currency": self.currency,
            "starting_price": self.starting_price.to_dict(),
            "reserve": None if self.reserve is None else self.reserve.to_dict(),
            "increments": self.increments.to_list(),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "soft_close_seconds": self.soft_close_seconds,
        }

    @classmethod
    def from_dict(cls, data: Data) -> AuctionTerms:
        kind = read_str(data, "kind")
        if kind not in set(AuctionKind):
            raise InvalidStateError(f"unknown auction kind {kind!r}")
        reserve = read_optional_data(data, "reserve")
        return cls(
            auction_id=read_str(data, "auction_id"),
            kind=AuctionKind(kind),
            currency=read_str(data, "currency"),
            starting_price=Money.from_dict(read_data(data, "starting_price")),
            reserve=None if reserve is None else Money.from_dict(reserve),
            increments=IncrementTable.from_list(read_list(data, "increments")),
            starts_at=read_datetime(data, "starts_at"),
            ends_at=read_datetime(data, "ends_at"),
            soft_close_seconds=read_int(data, "soft_close_seconds"),
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptedBid:
    """An accepted request, kept under its idempotency key so a retry gets the same answer.
    `max_amount` is the ceiling in force (the amount itself for a plain bid)."""

    idempotency_key: str
    bidder_id: str
    amount: Money
    max_amount: Money
    placed_at: datetime
    events: tuple[BidEvent | ExtendedEvent, ...]

    def matches(self, request: BidRequest) -> bool:
        """Whether `request` is a retry of this bid rather than a different bid that reuses
        its key."""
        requested_max = request.amount if request.max_amount is None else request.max_amount
        return (
            request.bidder_id == self.bidder_id
            and request.currency == self.amount.currency
            and _is_int(request.amount)
            and request.amount == self.amount.amount
            and _is_int(requested_max)
            and requested_max == self.max_amount.amount
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.idempotency_key,
            "bidder_id": self.bidder_id,
            "amount": self.amount.to_dict(),
            "max_amount": self.max_amount.to_dict(),
            "placed_at": self.placed_at.isoformat(),
            "events": [event.to_dict() for event in self.events],
        }

    @classmethod
    def from_dict(cls, data: Data) -> AcceptedBid:
        events: list[BidEvent | ExtendedEvent] = []
        for value in read_list(data, "events"):
            event = event_from_dict(value)
            if isinstance(event, ClosedEvent):
                raise InvalidStateError("a bid cannot have produced a closed event")
            events.append(event)
        return cls(
            idempotency_key=read_str(data, "idempotency_key"),
            bidder_id=read_str(data, "bidder_id"),
            amount=Money.from_dict(read_data(data, "amount")),
            max_amount=Money.from_dict(read_data(data, "max_amount")),
            placed_at=read_datetime(data, "placed_at"),
            events=tuple(events),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuctionState:
    """Where one auction stands. `price` is the visible high bid, `leader_max` the leader's
    hidden ceiling; both are None until the first bid. Only the leader's ceiling is kept:
    every other bidder's ceiling is at most `price` (their proxy was used up when they were
    outbid), so it can never bid again. `ends_at` is the current end, extensions included.

    `accepted` is only ever looked up by idempotency key, and `events` is derived from it.
    A caller that keeps the history elsewhere may hand the engine a state whose `accepted`
    holds just the record under the incoming request's key (or nothing): judging and
    replaying are the same."""

    terms: AuctionTerms
    ends_at: datetime
    price: Money | None = None
    leader_id: str | None = None
    leader_max: Money | None = None
    last_seq: int = 0
    accepted: tuple[AcceptedBid, ...] = ()
    closing: ClosedEvent | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ends_at", as_utc(self.ends_at, "ends_at"))
        terms = self.terms
        if self.ends_at < terms.ends_at:
            raise InvalidStateError("the end can only move later than the scheduled end")
        if terms.kind is AuctionKind.SUDDEN_DEATH and self.ends_at != terms.ends_at:
            raise InvalidStateError("a sudden-death auction ends exactly when scheduled")
        standing = (self.price, self.leader_id, self.leader_max)
        if any(part is None for part in standing) and any(part is not None for part in standing):
            raise InvalidStateError("price, leader_id and leader_max are all set or all None")
        if self.price is not None and self.leader_max is not None:
            if self.price.currency != terms.currency or self.leader_max.currency != terms.currency:
                raise InvalidStateError(f"price and leader_max must be in {terms.currency}")
            if not terms.starting_price.amount <= self.price.amount <= self.leader_max.amount:
                raise InvalidStateError("starting price <= price <= leader_max must hold")
        if not _is_int(self.last_seq) or self.last_seq < 0:
            raise InvalidStateError("last_seq must be a non-negative int")

    @classmethod
    def initial(cls, terms: AuctionTerms) -> AuctionState:
        """A freshly created auction: no bids, ending as scheduled."""
        return cls(terms=terms, ends_at=terms.ends_at)

    def status(self, now: datetime) -> AuctionStatus:
        now = as_utc(now, "now")
        if self.closing is not None:
            return AuctionStatus.CLOSED
        if now < self.terms.starts_at:
            return AuctionStatus.NOT_STARTED
        if now >= self.ends_at:
            return AuctionStatus.ENDED
        return AuctionStatus.OPEN

    @property
    def reserve_met(self) -> bool:
        """There is a price and it is at or above the reserve (no reserve: any price)."""
        reserve = self.terms.reserve
        return self.price is not None and (reserve is None or self.price.amount >= reserve.amount)

    @property
    def minimum_bid(self) -> Money:
        """The smallest amount anyone but the leader may bid now: the starting price, then
        the price plus its increment."""
        if self.price is None:
            return self.terms.starting_price
        return Money(self.terms.increments.next_amount(self.price.amount), self.terms.currency)

    def minimum_bid_for(self, bidder_id: str | None) -> Money:
        """The smallest plain bid `bidder_id` may place now. The leader never bids against
        themselves; their request only raises their ceiling, so it must exceed it."""
        minimum = self.minimum_bid
        if bidder_id is not None and bidder_id == self.leader_id and self.leader_max is not None:
            return Money(max(minimum.amount, self.leader_max.amount + 1), self.terms.currency)
        return minimum

    @property
    def result(self) -> AuctionResult | None:
        return None if self.closing is None else self.closing.result

    @property
    def events(self) -> tuple[AuctionEvent, ...]:
        """Every event so far, in seq order."""
        events: list[AuctionEvent] = [event for bid in self.accepted for event in bid.events]
        if self.closing is not None:
            events.append(self.closing)
        return tuple(events)

    def find_accepted(self, idempotency_key: str) -> AcceptedBid | None:
        for bid in self.accepted:
            if bid.idempotency_key == idempotency_key:
                return bid
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "terms": self.terms.to_dict(),
            "ends_at": self.ends_at.isoformat(),
            "price": None if self.price is None else self.price.to_dict(),
            "leader_id": self.leader_id,
            "leader_max": None if self.leader_max is None else self.leader_max.to_dict(),
            "last_seq": self.last_seq,
            "accepted": [bid.to_dict() for bid in self.accepted],
            "closing": None if self.closing is None else self.closing.to_dict(),
        }

    @classmethod
    def from_dict(cls, value: object) -> AuctionState:
        data = as_data(value, "an auction state")
        if read_int(data, "format") != STATE_FORMAT:
            raise InvalidStateError(f"unsupported state format {data['format']!r}")
        price = read_optional_data(data, "price")
        leader_max = read_optional_data(data, "leader_max")
        closing = read_optional_data(data, "closing")
        return cls(
            terms=AuctionTerms.from_dict(read_data(data, "terms")),
            ends_at=read_datetime(data, "ends_at"),
            price=None if price is None else Money.from_dict(price),
            leader_id=read_optional_str(data, "leader_id"),
            leader_max=None if leader_max is None else Money.from_dict(leader_max),
            last_seq=read_int(data, "last_seq"),
            accepted=tuple(
                AcceptedBid.from_dict(as_data(bid, "an accepted bid")) for bid in read_list(data, "accepted")
            ),
            closing=None if closing is None else ClosedEvent.from_dict(closing),
        )
