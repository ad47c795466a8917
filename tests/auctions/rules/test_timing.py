"""When bids are taken, and how soft close moves the end (sudden death never moves it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from auctions.rules import (
    AuctionKind,
    AuctionStatus,
    BidAccepted,
    ExtendedEvent,
    InvalidTermsError,
    Money,
    NaiveDatetimeError,
    UnknownCurrencyError,
    close,
    place_bid,
)
from tests.auctions.rules.builders import (
    ENDS_AT,
    SOFT_CLOSE_SECONDS,
    STARTS_AT,
    bid,
    eur,
    make_state,
    make_terms,
    with_bids,
)

WINDOW = timedelta(seconds=SOFT_CLOSE_SECONDS)


def test_a_bid_before_the_closing_window_does_not_extend() -> None:
    now = ENDS_AT - WINDOW - timedelta(seconds=1)

    outcome = place_bid(make_state(), bid("ann", 100), now)

    assert isinstance(outcome, BidAccepted)
    assert [event.seq for event in outcome.events] == [1]
    assert outcome.state.ends_at == ENDS_AT


def test_a_bid_exactly_window_seconds_before_the_end_does_not_extend() -> None:
    outcome = place_bid(make_state(), bid("ann", 100), ENDS_AT - WINDOW)

    assert isinstance(outcome, BidAccepted)
    assert outcome.state.ends_at == ENDS_AT
    assert not any(isinstance(event, ExtendedEvent) for event in outcome.events)


def test_a_bid_inside_the_window_moves_the_end_to_window_seconds_after_it() -> None:
    now = ENDS_AT - timedelta(seconds=30)
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = place_bid(state, bid("ben", 150), now)

    assert isinstance(outcome, BidAccepted)
    assert outcome.state.ends_at == now + WINDOW
    assert outcome.events[-1] == ExtendedEvent(seq=4, at=now, previous_ends_at=ENDS_AT, ends_at=now + WINDOW)
    assert [event.seq for event in outcome.events] == [2, 3, 4]


def test_bids_keep_extending_past_the_scheduled_end() -> None:
    first_at = ENDS_AT - timedelta(seconds=1)
    second_at = ENDS_AT + timedelta(seconds=100)  # after the scheduled end, before the extended one
    state = with_bids(make_state(), bid("ann", 100), now=first_at)
    assert state.ends_at == first_at + WINDOW

    outcome = place_bid(state, bid("ben", 110), second_at)

    assert isinstance(outcome, BidAccepted)
    assert outcome.state.ends_at == second_at + WINDOW
    assert outcome.events[-1] == ExtendedEvent(
        seq=4, at=second_at, previous_ends_at=first_at + WINDOW, ends_at=second_at + WINDOW
    )


def test_a_silent_ceiling_raise_does_not_extend() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))
    now = ENDS_AT - timedelta(seconds=5)

    outcome = place_bid(state, bid("ann", 110, 900), now)

    assert isinstance(outcome, BidAccepted)
    assert outcome.events == ()
    assert outcome.state.ends_at == ENDS_AT


def test_sudden_death_never_moves_the_end() -> None:
    state = make_state(kind=AuctionKind.SUDDEN_DEATH)
    last_moment = ENDS_AT - timedelta(microseconds=1)

    outcome = place_bid(state, bid("ann", 100), last_moment)

    assert isinstance(outcome, BidAccepted)
    assert outcome.events[-1].seq == 1
    assert outcome.state.ends_at == ENDS_AT


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (STARTS_AT - timedelta(seconds=1), AuctionStatus.NOT_STARTED),
        (STARTS_AT, AuctionStatus.OPEN),
        (ENDS_AT - timedelta(microseconds=1), AuctionStatus.OPEN),
        (ENDS_AT, AuctionStatus.ENDED),
    ],
)
def test_status_follows_the_clock(now: datetime, status: AuctionStatus) -> None:
    assert make_state().status(now) is status


def test_status_is_closed_once_closed_whatever_the_clock() -> None:
    closed = close(make_state(), ENDS_AT).state

    assert closed.status(STARTS_AT) is AuctionStatus.CLOSED


def test_a_bid_at_the_start_is_taken() -> None:
    assert isinstance(place_bid(make_state(), bid("ann", 100), STARTS_AT), BidAccepted)


@pytest.mark.parametrize(
    "overrides",
    [
        {"auction_id": ""},
        {"kind": "soft_close"},
        {"soft_close_seconds": 0},
        {"kind": AuctionKind.SUDDEN_DEATH, "soft_close_seconds": 60},
        {"soft_close_seconds": 60.0},
        {"starting_price": eur(0)},
        {"starting_price": Money(100, "USD")},
        {"reserve": Money(500, "USD")},
        {"reserve": eur(-1)},
        {"starts_at": ENDS_AT},
        {"increments": ((0, 10),)},
    ],
)
def test_inconsistent_terms_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidTermsError):
        make_terms(**overrides)


def test_terms_in_an_unknown_currency_are_refused() -> None:
    with pytest.raises(UnknownCurrencyError):
        make_terms(currency="XYZ")


def test_terms_with_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        make_terms(starts_at=STARTS_AT.replace(tzinfo=None))
