"""What an auction tells the world, one numbered event at a time.

Every event of an auction carries the next `seq` of a single stream (bids, extensions and
the close share it), starting at 1 with no gaps, so a client that sees seq 7 after seq 5
knows it missed one and must re-fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from auctions.rules._dicts import (
    Data,
    as_data,
    read_bool,
    read_data,
    read_datetime,
    read_int,
    read_optional_data,
    read_optional_str,
    read_str,
)
from auctions.rules._errors import InvalidStateError
from auctions.rules._money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class BidEvent:
    """A visible bid. `automatic` is False only for the bid the requester typed (their
    `amount`); bids a proxy placed for anyone, the requester included, are automatic."""

    event_type: ClassVar[str] = "bid"

    seq: int
    at: datetime
    bidder_id: str
    amount: Money
    automatic: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.event_type,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "bidder_id": self.bidder_id,
            "amount": self.amount.to_dict(),
            "automatic": self.automatic,
        }

    @classmethod
    def from_dict(cls, data: Data) -> BidEvent:
        return cls(
            seq=read_int(data, "seq"),
            at=read_datetime(data, "at"),
            bidder_id=read_str(data, "bidder_id"),
            amount=Money.from_dict(read_data(data, "amount")),
            automatic=read_bool(data, "automatic"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendedEvent:
    """Soft close moved the end of the auction from `previous_ends_at` to `ends_at`."""

    event_type: ClassVar[str] = "extended"

    seq: int
    at: datetime
    previous_ends_at: datetime
    ends_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.event_type,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "previous_ends_at": self.previous_ends_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Data) -> ExtendedEvent:
        return cls(
            seq=read_int(data, "seq"),
            at=read_datetime(data, "at"),
            previous_ends_at=read_datetime(data, "previous_ends_at"),
            ends_at=read_datetime(data, "ends_at"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuctionResult:
    """How an auction ended. `high_bidder_id` led at the end; they win only if the reserve was
    met. `reserve_met` is False when nobody bid: there is no price to meet anything."""

    high_bidder_id: str | None
    final_price: Money | None
    reserve_met: bool

    @property
    def winner_id(self) -> str | None:
        return self.high_bidder_id if self.reserve_met else None

    @property
    def sold(self) -> bool:
        return self.winner_id is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "high_bidder_id": self.high_bidder_id,
            "final_price": None if self.final_price is None else self.final_price.to_dict(),
            "reserve_met": self.reserve_met,
            "winner_id": self.winner_id,
        }

    @classmethod
    def from_dict(cls, data: Data) -> AuctionResult:
        final_price = read_optional_data(data, "final_price")
        return cls(
            high_bidder_id=read_optional_str(data, "high_bidder_id"),
            final_price=None if final_price is None else Money.from_dict(final_price),
            reserve_met=read_bool(data, "reserve_met"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosedEvent:
    event_type: ClassVar[str] = "closed"

    seq: int
    at: datetime
    result: AuctionResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.event_type,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "result": self.result.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Data) -> ClosedEvent:
        return cls(
            seq=read_int(data, "seq"),
            at=read_datetime(data, "at"),
            result=AuctionResult.from_dict(read_data(data, "result")),
        )


AuctionEvent = BidEvent | ExtendedEvent | ClosedEvent


def event_from_dict(value: object) -> AuctionEvent:
    data = as_data(value, "an event")
    event_type = read_str(data, "type")
    if event_type == BidEvent.event_type:
        return BidEvent.from_dict(data)
    if event_type == ExtendedEvent.event_type:
        return ExtendedEvent.from_dict(data)
    if event_type == ClosedEvent.event_type:
        return ClosedEvent.from_dict(data)
    raise InvalidStateError(f"unknown event type {event_type!r}")
