"""Every way a bid request is refused: a typed rejection, and the state left untouched."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from auctions.rules import (
    MAX_AMOUNT,
    AuctionState,
    BidRejected,
    BidRequest,
    Closed,
    InvalidBidRequestError,
    Money,
    NaiveDatetimeError,
    RejectionCode,
    close,
    place_bid,
)
from tests.auctions.rules.builders import DURING, ENDS_AT, STARTS_AT, bid, eur, make_state, with_bids


def assert_rejected(
    state: AuctionState, request: BidRequest, now: datetime, code: RejectionCode, minimum: Money | None = None
) -> None:
    outcome = place_bid(state, request, now)

    assert isinstance(outcome, BidRejected)
    assert outcome.rejection.code is code
    assert outcome.rejection.minimum == minimum
    assert outcome.state is state


def test_an_anonymous_bidder_is_not_allowed() -> None:
    assert_rejected(make_state(), bid(None, 100), DURING, RejectionCode.NOT_ALLOWED)


def test_the_seller_is_not_allowed_to_bid() -> None:
    assert_rejected(make_state(), bid("sam", 100, seller=True), DURING, RejectionCode.NOT_ALLOWED)


def test_a_rate_limited_bidder_is_refused() -> None:
    assert_rejected(make_state(), bid("ann", 100, rate_limited=True), DURING, RejectionCode.RATE_LIMITED)


def test_a_bid_before_the_start_is_refused() -> None:
    before = STARTS_AT - timedelta(microseconds=1)

    assert_rejected(make_state(), bid("ann", 100), before, RejectionCode.AUCTION_NOT_STARTED)


@pytest.mark.parametrize("now", [ENDS_AT, ENDS_AT + timedelta(microseconds=1), ENDS_AT + timedelta(days=3)])
def test_a_bid_at_or_after_the_end_is_refused(now: datetime) -> None:
    assert_rejected(make_state(), bid("ann", 100), now, RejectionCode.AUCTION_CLOSED)


def test_a_bid_on_a_closed_auction_is_refused() -> None:
    outcome = close(with_bids(make_state(), bid("ann", 100)), ENDS_AT)
    assert isinstance(outcome, Closed)

    assert_rejected(
        outcome.state, bid("ben", 500), ENDS_AT + timedelta(hours=1), RejectionCode.AUCTION_CLOSED
    )


@pytest.mark.parametrize("currency", ["USD", "eur", "", None, 978])
def test_a_bid_in_another_currency_is_refused(currency: Any) -> None:
    assert_rejected(make_state(), bid("ann", 100, currency=currency), DURING, RejectionCode.CURRENCY_MISMATCH)


@pytest.mark.parametrize(
    ("amount", "max_amount"),
    [
        (0, None),
        (-100, None),
        (150.0, None),
        (150.5, None),
        (True, None),
        ("150", None),
        (None, None),
        (MAX_AMOUNT + 1, None),
        (150, 149),
        (150, 0),
        (150, 200.0),
        (150, "200"),
        (150, MAX_AMOUNT + 1),
    ],
)
def test_a_malformed_amount_is_refused(amount: Any, max_amount: Any) -> None:
    assert_rejected(make_state(), bid("ann", amount, max_amount), DURING, RejectionCode.INVALID_AMOUNT)


def test_the_largest_amount_is_accepted_as_a_ceiling() -> None:
    state = with_bids(make_state(), bid("ann", 100, MAX_AMOUNT))

    assert state.leader_max == eur(MAX_AMOUNT)


def test_a_first_bid_below_the_starting_price_is_too_low() -> None:
    assert_rejected(make_state(), bid("ann", 99), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(100))


def test_a_first_bid_with_a_ceiling_but_a_low_amount_is_too_low() -> None:
    assert_rejected(make_state(), bid("ann", 90, 5000), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(100))


def test_a_bid_below_price_plus_increment_is_too_low() -> None:
    state = with_bids(make_state(), bid("ann", 150))

    assert_rejected(state, bid("ben", 159), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(160))
    assert_rejected(state, bid("ben", 150), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(160))


@pytest.mark.parametrize(("price", "minimum"), [(990, 1000), (995, 1005), (1000, 1050), (5000, 5100)])
def test_the_minimum_follows_the_band_of_the_current_price(price: int, minimum: int) -> None:
    state = with_bids(make_state(), bid("ann", price))

    assert state.minimum_bid == eur(minimum)
    assert_rejected(state, bid("ben", minimum - 1), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(minimum))


def test_the_leader_must_raise_their_own_ceiling() -> None:
    # Given ann leads at 100 with a ceiling of 300
    state = with_bids(make_state(), bid("ann", 100, 300))

    # Then a request of hers that does not lift the ceiling is too low; the minimum she is
    # told is a plain bid just above her own ceiling
    assert_rejected(state, bid("ann", 110, 250), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(301))
    assert_rejected(state, bid("ann", 110, 300), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(301))
    assert_rejected(state, bid("ann", 200), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(301))
    # And even a higher ceiling needs an amount of at least the public minimum
    assert_rejected(state, bid("ann", 105, 900), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(301))
    assert state.minimum_bid_for("ann") == eur(301)
    assert state.minimum_bid_for("ben") == eur(110)


def test_a_leader_capped_at_their_ceiling_is_told_the_public_minimum() -> None:
    # Given ann's ceiling of 150 is also the price (ben tied it and lost)
    state = with_bids(make_state(), bid("ann", 100, 150), bid("ben", 150))
    assert (state.price, state.leader_id) == (eur(150), "ann")

    assert_rejected(state, bid("ann", 155), DURING, RejectionCode.BID_TOO_LOW, minimum=eur(160))


@pytest.mark.parametrize(
    "request_",
    [
        bid("ann", 120, key="k-1"),
        bid("ann", 110, 500, key="k-1"),
        bid("ben", 110, key="k-1"),
        bid("ann", 110, key="k-1", currency="USD"),
        bid("ann", 110.0, key="k-1"),
    ],
)
def test_a_key_reused_for_a_different_bid_is_refused(request_: BidRequest) -> None:
    # Given ann's plain bid of 110 was accepted under key k-1
    state = with_bids(make_state(), bid("ben", 100, key="k-0"), bid("ann", 110, key="k-1"))

    # When a different bid arrives under the same key, Then it is refused
    assert_rejected(state, request_, DURING, RejectionCode.IDEMPOTENCY_KEY_REUSED)


@pytest.mark.parametrize(
    ("request_", "now", "code"),
    [
        (bid(None, 0, seller=True, rate_limited=True, currency="USD"), ENDS_AT, RejectionCode.NOT_ALLOWED),
        (bid("ann", 0, rate_limited=True, currency="USD"), ENDS_AT, RejectionCode.RATE_LIMITED),
        (bid("ann", 0, currency="USD"), ENDS_AT, RejectionCode.AUCTION_CLOSED),
        (bid("ann", 0, currency="USD"), STARTS_AT - timedelta(seconds=1), RejectionCode.AUCTION_NOT_STARTED),
        (bid("ann", 0, currency="USD"), DURING, RejectionCode.CURRENCY_MISMATCH),
        (bid("ann", 0), DURING, RejectionCode.INVALID_AMOUNT),
        (bid("ann", 99), DURING, RejectionCode.BID_TOO_LOW),
    ],
)
def test_checks_answer_in_a_fixed_order(request_: BidRequest, now: datetime, code: RejectionCode) -> None:
    outcome = place_bid(make_state(), request_, now)

    assert isinstance(outcome, BidRejected)
    assert outcome.rejection.code is code


def test_a_rejection_renders_as_the_api_error_body() -> None:
    outcome = place_bid(make_state(), bid("ann", 99), DURING)
    assert isinstance(outcome, BidRejected)

    assert outcome.rejection.to_dict() == {
        "code": "bid_too_low",
        "message": "the lowest acceptable bid is 100 (EUR minor units)",
        "minimum": {"amount": 100, "currency": "EUR"},
    }


@pytest.mark.parametrize(
    ("key", "bidder_id"),
    [("", "ann"), ("k" * 201, "ann"), (None, "ann"), ("k-1", ""), ("k-1", 7)],
)
def test_a_malformed_request_raises(key: Any, bidder_id: Any) -> None:
    with pytest.raises(InvalidBidRequestError):
        BidRequest(
            idempotency_key=key,
            bidder_id=bidder_id,
            bidder_is_seller=False,
            rate_limited=False,
            amount=100,
            currency="EUR",
        )


def test_a_naive_now_raises() -> None:
    with pytest.raises(NaiveDatetimeError):
        place_bid(make_state(), bid("ann", 100), datetime(2030, 6, 3, 9, 10))
