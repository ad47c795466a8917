"""Closing: once, at or after the (possibly extended) end, with the same result every time."""

from __future__ import annotations

from datetime import timedelta

from auctions.rules import AuctionResult, Closed, CloseDeferred, ClosedEvent, close
from tests.auctions.rules.builders import DURING, ENDS_AT, bid, eur, make_state, with_bids


def test_closing_before_the_end_is_deferred_and_changes_nothing() -> None:
    state = with_bids(make_state(), bid("ann", 100))

    outcome = close(state, ENDS_AT - timedelta(microseconds=1))

    assert outcome == CloseDeferred(state=state, ends_at=ENDS_AT)
    assert outcome.state is state


def test_closing_at_the_scheduled_end_of_an_extended_auction_is_deferred() -> None:
    state = with_bids(make_state(), bid("ann", 100), now=ENDS_AT - timedelta(seconds=10))

    outcome = close(state, ENDS_AT)

    assert isinstance(outcome, CloseDeferred)
    assert outcome.ends_at == ENDS_AT + timedelta(seconds=110)


def test_an_auction_without_bids_closes_unsold() -> None:
    outcome = close(make_state(), ENDS_AT)

    assert isinstance(outcome, Closed)
    assert outcome.result == AuctionResult(high_bidder_id=None, final_price=None, reserve_met=False)
    assert outcome.result.winner_id is None
    assert outcome.event == ClosedEvent(seq=1, at=ENDS_AT, result=outcome.result)
    assert outcome.state.closing == outcome.event
    assert outcome.state.last_seq == 1


def test_the_high_bidder_wins_at_the_current_price() -> None:
    state = with_bids(make_state(reserve=eur(200)), bid("ann", 100, 300), bid("ben", 250))

    outcome = close(state, ENDS_AT + timedelta(minutes=5))

    assert isinstance(outcome, Closed)
    assert outcome.result == AuctionResult(high_bidder_id="ann", final_price=eur(260), reserve_met=True)
    assert outcome.result.winner_id == "ann"
    assert outcome.result.sold
    assert outcome.event.seq == state.last_seq + 1


def test_below_the_reserve_the_high_bidder_does_not_win() -> None:
    state = with_bids(make_state(reserve=eur(500)), bid("ann", 100, 300), bid("ben", 250))

    outcome = close(state, ENDS_AT)

    assert isinstance(outcome, Closed)
    assert outcome.result == AuctionResult(high_bidder_id="ann", final_price=eur(260), reserve_met=False)
    assert outcome.result.winner_id is None
    assert not outcome.result.sold


def test_closing_twice_returns_the_same_result_and_changes_nothing() -> None:
    first = close(with_bids(make_state(), bid("ann", 100)), ENDS_AT)
    assert isinstance(first, Closed)

    second = close(first.state, ENDS_AT + timedelta(days=1))

    assert isinstance(second, Closed)
    assert second.replayed
    assert second.state is first.state
    assert second.event == first.event


def test_the_result_does_not_depend_on_how_late_the_close_runs() -> None:
    state = with_bids(make_state(), bid("ann", 100), now=DURING)

    early, late = close(state, ENDS_AT), close(state, ENDS_AT + timedelta(days=1))

    assert isinstance(early, Closed)
    assert isinstance(late, Closed)
    assert early.result == late.result
