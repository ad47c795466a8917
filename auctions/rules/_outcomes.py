"""What the engine returns. Every outcome carries the state to persist; when nothing changed
it is the very object that was passed in, so `outcome.state is state` tells the caller there
is nothing to write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auctions.rules._events import AuctionResult, BidEvent, ClosedEvent, ExtendedEvent
from auctions.rules._rejections import Rejection
from auctions.rules._state import AuctionState


@dataclass(frozen=True, slots=True, kw_only=True)
class BidAccepted:
    """`events` are the bid's events in seq order: its visible bids, then an `ExtendedEvent`
    if soft close moved the end. A leader raising their own ceiling produces no event at all
    (unless that lifts the price to the reserve): the ceiling is secret.

    `replayed` means the idempotency key had already been accepted: `events` are the
    original ones, already published, and `state` is unchanged."""

    state: AuctionState
    events: tuple[BidEvent | ExtendedEvent, ...]
    replayed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BidRejected:
    state: AuctionState
    rejection: Rejection


BidOutcome = BidAccepted | BidRejected


@dataclass(frozen=True, slots=True, kw_only=True)
class Closed:
    """The auction is closed. `replayed` means it already was: `event` is the original."""

    state: AuctionState
    event: ClosedEvent
    replayed: bool = False

    @property
    def result(self) -> AuctionResult:
        return self.event.result


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseDeferred:
    """Too early to close: the auction now ends at `ends_at` (soft close may have moved it
    since the close was scheduled)."""

    state: AuctionState
    ends_at: datetime


CloseOutcome = Closed | CloseDeferred
