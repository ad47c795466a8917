"""Accepted bids: the price, the leader and the visible events each rule produces.

Increments in these tests: 10 below 1000, 50 from 1000, 100 from 5000; starting price 100."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from auctions.rules import (
    AcceptedBid,
    AuctionState,
    BidAccepted,
    BidEvent,
    BidRejected,
    BidRequest,
    RejectionCode,
    place_bid,
)
from tests.auctions.rules.builders import DURING, ENDS_AT, bid, eur, make_state, with_bids


def accept(state: AuctionState, request: BidRequest, now: datetime = DURING) -> BidAccepted:
    outcome = place_bid(state, request, now)
    assert isinstance(outcome, BidAccepted), outcome
    assert not outcome.replayed
    return outcome


def bid_event(seq: int, bidder_id: str, amount: int, *, automatic: bool, at: datetime = DURING) -> BidEvent:
    return BidEvent(seq=seq, at=at, bidder_id=bidder_id, amount=eur(amount), automatic=automatic)


def standing(state: AuctionState) -> tuple[int | None, str | None, int | None]:
    """(price, leader, leader's ceiling) in minor units."""
    price = None if state.price is None else state.price.amount
    ceiling = None if state.leader_max is None else state.leader_max.amount
    return price, state.leader_id, ceiling


# ------------------------------------------------------------------ first bid


def test_a_first_plain_bid_at_the_starting_price_leads() -> None:
    outcome = accept(make_state(), bid("ann", 100))

    assert outcome.events == (bid_event(1, "ann", 100, automatic=False),)
    assert standing(outcome.state) == (100, "ann", 100)
    assert outcome.state.last_seq == 1
    assert outcome.state.minimum_bid == eur(110)


def test_a_first_bid_with_a_ceiling_shows_only_its_amount() -> None:
    outcome = accept(make_state(), bid("ann", 100, 400))

    assert outcome.events == (bid_event(1, "ann", 100, automatic=False),)
    assert standing(outcome.state) == (100, "ann", 400)


def test_a_first_bid_above_the_starting_price_is_placed_as_typed() -> None:
    outcome = accept(make_state(), bid("ann", 150, 400))

    assert outcome.events == (bid_event(1, "ann", 150, automatic=False),)
    assert standing(outcome.state) == (150, "ann", 400)


# ------------------------------------------------------------------ challenger takes the lead


def test_a_plain_bid_beats_a_plain_leader_at_its_own_amount() -> None:
    state = with_bids(make_state(), bid("ann", 100))

    outcome = accept(state, bid("ben", 120))

    assert outcome.events == (bid_event(2, "ben", 120, automatic=False),)
    assert standing(outcome.state) == (120, "ben", 120)


def test_the_higher_ceiling_wins_at_one_increment_above_the_lower() -> None:
    # Given ann leads at 100 with a ceiling of 300
    state = with_bids(make_state(), bid("ann", 100, 300))

    # When ben bids 110 with a ceiling of 500
    outcome = accept(state, bid("ben", 110, 500))

    # Then ann's proxy spends her ceiling and ben's proxy beats it by one increment
    assert outcome.events == (
        bid_event(2, "ben", 110, automatic=False),
        bid_event(3, "ann", 300, automatic=True),
        bid_event(4, "ben", 310, automatic=True),
    )
    assert standing(outcome.state) == (310, "ben", 500)


def test_the_winning_proxy_stops_at_its_own_ceiling() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 110, 305))

    # capped at ben's ceiling: 305 < 300 + 10
    assert outcome.events[-1] == bid_event(4, "ben", 305, automatic=True)
    assert standing(outcome.state) == (305, "ben", 305)


def test_a_leader_ceiling_below_the_new_amount_cannot_answer() -> None:
    # Given ann leads at 100 with a ceiling of 105, inside the increment above the price
    state = with_bids(make_state(), bid("ann", 100, 105))

    # When ben bids the minimum, 110, with a ceiling of 500
    outcome = accept(state, bid("ben", 110, 500))

    # Then ben's visible 110 already beats 105: no proxy answers and the price stays 110,
    # not the 115 a pure second-price rule (105 + 10) would charge
    assert outcome.events == (bid_event(2, "ben", 110, automatic=False),)
    assert standing(outcome.state) == (110, "ben", 500)


def test_an_earlier_ceiling_equal_to_the_new_amount_matches_it_before_losing() -> None:
    state = with_bids(make_state(), bid("ann", 100, 200))

    outcome = accept(state, bid("ben", 200, 500))

    assert outcome.events == (
        bid_event(2, "ben", 200, automatic=False),
        bid_event(3, "ann", 200, automatic=True),
        bid_event(4, "ben", 210, automatic=True),
    )
    assert standing(outcome.state) == (210, "ben", 500)


# ------------------------------------------------------------------ leader defends


def test_the_leader_proxy_answers_a_plain_bid_by_one_increment() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 150))

    assert outcome.events == (
        bid_event(2, "ben", 150, automatic=False),
        bid_event(3, "ann", 160, automatic=True),
    )
    assert standing(outcome.state) == (160, "ann", 300)


def test_the_challenger_proxy_is_used_up_before_the_leader_answers() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 110, 200))

    assert outcome.events == (
        bid_event(2, "ben", 110, automatic=False),
        bid_event(3, "ben", 200, automatic=True),
        bid_event(4, "ann", 210, automatic=True),
    )
    assert standing(outcome.state) == (210, "ann", 300)


def test_the_leader_answer_stops_at_the_leader_ceiling() -> None:
    state = with_bids(make_state(), bid("ann", 100, 205))

    outcome = accept(state, bid("ben", 110, 200))

    assert outcome.events[-1] == bid_event(4, "ann", 205, automatic=True)
    assert standing(outcome.state) == (205, "ann", 205)


def test_equal_ceilings_go_to_the_earlier_at_that_amount() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 110, 300))

    assert outcome.events == (
        bid_event(2, "ben", 110, automatic=False),
        bid_event(3, "ben", 300, automatic=True),
        bid_event(4, "ann", 300, automatic=True),
    )
    assert standing(outcome.state) == (300, "ann", 300)


def test_a_plain_bid_equal_to_the_leader_ceiling_loses_the_tie() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 300))

    assert outcome.events == (
        bid_event(2, "ben", 300, automatic=False),
        bid_event(3, "ann", 300, automatic=True),
    )
    assert standing(outcome.state) == (300, "ann", 300)


def test_counter_bids_use_the_increment_of_the_band_they_start_from() -> None:
    state = with_bids(make_state(), bid("ann", 100, 2000))

    first = accept(state, bid("ben", 990))
    second = accept(first.state, bid("cat", 1050, 1200))

    assert first.events[-1] == bid_event(3, "ann", 1000, automatic=True)  # 990 + 10
    assert second.events[-2:] == (
        bid_event(5, "cat", 1200, automatic=True),
        bid_event(6, "ann", 1250, automatic=True),  # 1200 + 50
    )


# ------------------------------------------------------------------ leader raises their ceiling


def test_the_leader_raising_their_ceiling_shows_nothing() -> None:
    # Given ann leads at 120 with a ceiling of 300
    state = with_bids(make_state(), bid("ann", 100, 300), bid("ben", 110))
    assert standing(state) == (120, "ann", 300)

    # When she raises her ceiling to 800
    outcome = accept(state, bid("ann", 130, 800, key="raise"))

    # Then nothing visible happens: she does not bid against herself
    assert outcome.events == ()
    assert standing(outcome.state) == (120, "ann", 800)
    assert outcome.state.last_seq == state.last_seq == 3
    assert outcome.state.ends_at == state.ends_at
    assert outcome.state.find_accepted("raise") is not None

    # And the raised ceiling defends
    answered = accept(outcome.state, bid("ben", 500))
    assert answered.events[-1] == bid_event(5, "ann", 510, automatic=True)


# ------------------------------------------------------------------ reserve


def test_a_ceiling_reaching_the_reserve_jumps_the_price_to_it() -> None:
    state = make_state(reserve=eur(500))

    outcome = accept(state, bid("ann", 100, 700))

    assert outcome.events == (
        bid_event(1, "ann", 100, automatic=False),
        bid_event(2, "ann", 500, automatic=True),
    )
    assert standing(outcome.state) == (500, "ann", 700)
    assert outcome.state.reserve_met


def test_a_ceiling_below_the_reserve_leaves_it_unmet() -> None:
    outcome = accept(make_state(reserve=eur(500)), bid("ann", 100, 499))

    assert outcome.events == (bid_event(1, "ann", 100, automatic=False),)
    assert not outcome.state.reserve_met


def test_the_reserve_jump_follows_a_proxy_contest() -> None:
    state = with_bids(make_state(reserve=eur(500)), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 110, 600))

    assert outcome.events == (
        bid_event(2, "ben", 110, automatic=False),
        bid_event(3, "ann", 300, automatic=True),
        bid_event(4, "ben", 310, automatic=True),
        bid_event(5, "ben", 500, automatic=True),
    )
    assert standing(outcome.state) == (500, "ben", 600)


def test_a_plain_bid_above_the_reserve_needs_no_jump() -> None:
    state = with_bids(make_state(reserve=eur(500)), bid("ann", 100))

    outcome = accept(state, bid("ben", 600))

    assert outcome.events == (bid_event(2, "ben", 600, automatic=False),)
    assert outcome.state.reserve_met


def test_the_leader_raising_to_the_reserve_makes_the_jump_visible() -> None:
    state = with_bids(make_state(reserve=eur(500)), bid("ann", 100, 300))

    outcome = accept(state, bid("ann", 110, 500))

    assert outcome.events == (bid_event(2, "ann", 500, automatic=True),)
    assert standing(outcome.state) == (500, "ann", 500)
    assert outcome.state.reserve_met


# ------------------------------------------------------------------ bookkeeping


def test_seq_numbers_continue_across_bids_without_gaps() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300), bid("ben", 110, 200), bid("cat", 400))

    assert [event.seq for event in state.events] == [1, 2, 3, 4, 5]
    assert state.last_seq == 5


def test_the_accepted_request_is_recorded_under_its_key() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))

    outcome = accept(state, bid("ben", 150, key="k-ben"))

    assert outcome.state.accepted[-1] == AcceptedBid(
        idempotency_key="k-ben",
        bidder_id="ben",
        amount=eur(150),
        max_amount=eur(150),
        placed_at=DURING,
        events=outcome.events,
    )


def test_times_are_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    local = DURING.astimezone(paris)

    outcome = accept(make_state(), bid("ann", 100), now=local)

    assert outcome.events[0].at.utcoffset() == timedelta(0)
    assert outcome.events[0].at == DURING


# ------------------------------------------------------------------ idempotency


def test_a_retried_key_returns_the_original_outcome_and_changes_nothing() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300))
    original = accept(state, bid("ben", 110, 500, key="k-ben"))

    replay = place_bid(original.state, bid("ben", 110, 500, key="k-ben"), DURING + timedelta(seconds=5))

    assert isinstance(replay, BidAccepted)
    assert replay.replayed
    assert replay.events == original.events
    assert replay.state is original.state


def test_a_retry_is_replayed_even_when_it_would_now_be_refused() -> None:
    original = accept(make_state(), bid("ann", 100, key="k-ann"))
    later = with_bids(original.state, bid("ben", 500))

    replay = place_bid(later, bid("ann", 100, key="k-ann", rate_limited=True), ENDS_AT + timedelta(hours=1))

    assert isinstance(replay, BidAccepted)
    assert replay.replayed
    assert replay.events == original.events
    assert replay.state is later


def test_a_plain_bid_and_its_explicit_ceiling_are_the_same_retry() -> None:
    original = accept(make_state(), bid("ann", 100, key="k-ann"))

    replay = place_bid(original.state, bid("ann", 100, 100, key="k-ann"), DURING)

    assert isinstance(replay, BidAccepted)
    assert replay.replayed


def test_a_refused_key_is_not_remembered_and_may_be_retried() -> None:
    state = make_state()
    refused = place_bid(state, bid("ann", 100, key="k-ann", rate_limited=True), DURING)
    assert isinstance(refused, BidRejected)
    assert refused.rejection.code is RejectionCode.RATE_LIMITED

    retry = accept(refused.state, bid("ann", 100, key="k-ann"))

    assert retry.events == (bid_event(1, "ann", 100, automatic=False),)


def test_the_engine_needs_only_the_record_under_the_incoming_key() -> None:
    # Given a state whose history is stored elsewhere, trimmed to the record for key k-ben
    full = with_bids(make_state(), bid("ann", 100, 300, key="k-ann"), bid("ben", 150, key="k-ben"))
    record = full.find_accepted("k-ben")
    assert record is not None
    trimmed = replace(full, accepted=(record,))

    # When ben retries, and when cat bids
    replay = place_bid(trimmed, bid("ben", 150, key="k-ben"), DURING)
    fresh = accept(replace(full, accepted=()), bid("cat", 400, key="k-cat"))

    # Then the retry replays and the new bid is judged exactly as against the full history
    assert isinstance(replay, BidAccepted)
    assert replay.replayed
    assert replay.events == record.events
    assert fresh.events == accept(full, bid("cat", 400, key="k-cat")).events
