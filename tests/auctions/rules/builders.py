"""Small builders for the rules tests: readable terms, requests and a state with bids in it.

The default table is deliberately simple (10 below 1000, 50 from 1000, 100 from 5000) so the
expected amounts in the tests can be checked by eye."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from auctions.rules import (
    AuctionKind,
    AuctionState,
    AuctionTerms,
    BidAccepted,
    BidRequest,
    IncrementTable,
    Money,
    place_bid,
)

STARTS_AT = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
ENDS_AT = STARTS_AT + timedelta(hours=1)
DURING = STARTS_AT + timedelta(minutes=10)
SOFT_CLOSE_SECONDS = 120
SIMPLE_INCREMENTS = IncrementTable(((0, 10), (1000, 50), (5000, 100)))


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


def make_terms(**overrides: Any) -> AuctionTerms:
    values: dict[str, Any] = {
        "auction_id": "lot-1",
        "kind": AuctionKind.SOFT_CLOSE,
        "currency": "EUR",
        "starting_price": eur(100),
        "reserve": None,
        "increments": SIMPLE_INCREMENTS,
        "starts_at": STARTS_AT,
        "ends_at": ENDS_AT,
        "soft_close_seconds": SOFT_CLOSE_SECONDS,
    }
    if overrides.get("kind") is AuctionKind.SUDDEN_DEATH:
        values["soft_close_seconds"] = 0
    values.update(overrides)
    return AuctionTerms(**values)


def make_state(**overrides: Any) -> AuctionState:
    return AuctionState.initial(make_terms(**overrides))


def bid(
    bidder_id: str | None,
    amount: Any,
    max_amount: Any = None,
    *,
    key: str | None = None,
    currency: Any = "EUR",
    seller: bool = False,
    rate_limited: bool = False,
) -> BidRequest:
    return BidRequest(
        idempotency_key=key or f"{bidder_id}:{amount}:{max_amount}",
        bidder_id=bidder_id,
        bidder_is_seller=seller,
        rate_limited=rate_limited,
        amount=amount,
        currency=currency,
        max_amount=max_amount,
    )


def with_bids(state: AuctionState, *requests: BidRequest, now: datetime = DURING) -> AuctionState:
    """`state` after `requests`, each of which must be accepted."""
    for request in requests:
        outcome = place_bid(state, request, now)
        assert isinstance(outcome, BidAccepted), outcome
        state = outcome.state
    return state
