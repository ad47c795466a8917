"""Bidding rules: pure, deterministic, no Django and no I/O.

    state = AuctionState.initial(terms)
    outcome = place_bid(state, request, now)   # BidAccepted | BidRejected
    outcome = close(outcome.state, now)        # Closed | CloseDeferred

The engine's rules are written out in `_engine.py`; the exception hierarchy in `_errors.py`.
"""

from auctions.rules._engine import close, place_bid
from auctions.rules._errors import (
    InvalidBidRequestError,
    InvalidIncrementTableError,
    InvalidMoneyError,
    InvalidStateError,
    InvalidTermsError,
    NaiveDatetimeError,
    RulesError,
    UnknownCurrencyError,
)
from auctions.rules._events import (
    AuctionEvent,
    AuctionResult,
    BidEvent,
    ClosedEvent,
    ExtendedEvent,
    event_from_dict,
)
from auctions.rules._increments import (
    CENT_INCREMENTS,
    DEFAULT_INCREMENTS,
    THOUSANDTH_INCREMENTS,
    ZERO_DECIMAL_INCREMENTS,
    IncrementTable,
    default_increments,
)
from auctions.rules._money import MAX_AMOUNT, MINOR_UNITS, Money, minor_units
from auctions.rules._outcomes import BidAccepted, BidOutcome, BidRejected, Closed, CloseDeferred, CloseOutcome
from auctions.rules._rejections import Rejection, RejectionCode
from auctions.rules._requests import BidRequest
from auctions.rules._state import AcceptedBid, AuctionKind, AuctionState, AuctionStatus, AuctionTerms

__all__ = [
    "CENT_INCREMENTS",
    "DEFAULT_INCREMENTS",
    "MAX_AMOUNT",
    "MINOR_UNITS",
    "THOUSANDTH_INCREMENTS",
    "ZERO_DECIMAL_INCREMENTS",
    "AcceptedBid",
    "AuctionEvent",
    "AuctionKind",
    "AuctionResult",
    "AuctionState",
    "AuctionStatus",
    "AuctionTerms",
    "BidAccepted",
    "BidEvent",
    "BidOutcome",
    "BidRejected",
    "BidRequest",
    "CloseDeferred",
    "CloseOutcome",
    "Closed",
    "ClosedEvent",
    "ExtendedEvent",
    "IncrementTable",
    "InvalidBidRequestError",
    "InvalidIncrementTableError",
    "InvalidMoneyError",
    "InvalidStateError",
    "InvalidTermsError",
    "Money",
    "NaiveDatetimeError",
    "Rejection",
    "RejectionCode",
    "RulesError",
    "UnknownCurrencyError",
    "close",
    "default_increments",
    "event_from_dict",
    "minor_units",
    "place_bid",
]
