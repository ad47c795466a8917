"""Property tests: random interleavings of bids, ceilings, retries, clock steps and closes keep
every invariant of the rules, and pure proxies settle where a brute-force second-price
computation says they must."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import event as count_case
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from auctions.rules import (
    CENT_INCREMENTS,
    MAX_AMOUNT,
    AuctionEvent,
    AuctionKind,
    AuctionState,
    AuctionTerms,
    BidAccepted,
    BidEvent,
    BidOutcome,
    BidRejected,
    BidRequest,
    Closed,
    CloseDeferred,
    ExtendedEvent,
    IncrementTable,
    RejectionCode,
    close,
    place_bid,
)
from tests.auctions.rules.builders import DURING, ENDS_AT, SIMPLE_INCREMENTS, bid, eur, make_terms

BIDDERS = ("ann", "ben", "cat", "dan")
SELLER = "sam"


@st.composite
def auction_terms(draw: st.DrawFn, kind: AuctionKind) -> AuctionTerms:
    increments, start = draw(
        st.sampled_from(
            [
                (SIMPLE_INCREMENTS, 100),
                (SIMPLE_INCREMENTS, 990),
                (SIMPLE_INCREMENTS, 4_950),
                (CENT_INCREMENTS, 95_00),
                (CENT_INCREMENTS, 1_000_00),
            ]
        )
    )
    reserve = draw(st.none() | st.integers(start, start * 5))
    seconds = draw(st.sampled_from([30, 120, 300])) if kind is AuctionKind.SOFT_CLOSE else 0
    return make_terms(
        kind=kind,
        increments=increments,
        starting_price=eur(start),
        reserve=None if reserve is None else eur(reserve),
        soft_close_seconds=seconds,
    )


def expected_rejection(state: AuctionState, request: BidRequest, now: datetime) -> RejectionCode | None:
    """The rules as the issue states them, written independently of the engine, for a key the
    auction has not accepted before."""
    terms = state.terms
    if request.bidder_id is None or request.bidder_is_seller:
        return RejectionCode.NOT_ALLOWED
    if request.rate_limited:
        return RejectionCode.RATE_LIMITED
    if state.closing is not None or now >= state.ends_at:
        return RejectionCode.AUCTION_CLOSED
    if now < terms.starts_at:
        return RejectionCode.AUCTION_NOT_STARTED
    if request.currency != terms.currency:
        return RejectionCode.CURRENCY_MISMATCH
    ceiling = request.amount if request.max_amount is None else request.max_amount
    amounts = (request.amount, ceiling)
    if (
        not all(type(value) is int and 0 < value <= MAX_AMOUNT for value in amounts)
        or ceiling < request.amount
    ):
        return RejectionCode.INVALID_AMOUNT
    lowest = (
        terms.starting_price.amount
        if state.price is None
        else terms.increments.next_amount(state.price.amount)
    )
    is_leader = request.bidder_id == state.leader_id
    if request.amount < lowest or (
        is_leader and state.leader_max is not None and ceiling <= state.leader_max.amount
    ):
        return RejectionCode.BID_TOO_LOW
    return None


class AuctionMachine(RuleBasedStateMachine):
    """Run once per kind (the subclasses below), so neither is left to chance."""

    kind: ClassVar[AuctionKind]

    @initialize(data=st.data(), seconds_after_start=st.sampled_from([-5, 0, 600]))
    def open_auction(self, data: st.DataObject, seconds_after_start: int) -> None:
        terms = data.draw(auction_terms(self.kind), label="terms")
        self.terms = terms
        self.initial = AuctionState.initial(terms)
        self.state = self.initial
        self.now = terms.starts_at + timedelta(seconds=seconds_after_start)
        self.sent: list[BidRequest] = []
        self.accepted_log: list[tuple[BidRequest, datetime]] = []
        self.published: list[AuctionEvent] = []
        # Each bidder's ceiling and the order in which it was set: ties go to the earliest.
        self.ceilings: dict[str, tuple[int, int]] = {}
        self.highest_price = 0
        self.latest_end = terms.ends_at
        self.closed_at: datetime | None = None

    # ------------------------------------------------------------------ the clock

    @rule(seconds=st.integers(0, 300))
    def wait(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule(seconds_before_end=st.integers(-3, 400).filter(lambda seconds: seconds > 0 or seconds % 2))
    def jump_towards_the_end(self, seconds_before_end: int) -> None:
        self.now = max(self.now, self.state.ends_at - timedelta(seconds=seconds_before_end))

    # ------------------------------------------------------------------ bidding

    @rule(data=st.data(), count=st.integers(1, 3))
    def place(self, data: st.DataObject, count: int) -> None:
        # A burst of bids per step: most generated runs are short, and bids are what matters.
        for _ in range(count):
            self.submit(self.draw_request(data))

    def draw_request(self, data: st.DataObject) -> BidRequest:
        who = data.draw(st.sampled_from((*BIDDERS * 4, None, SELLER)), label="bidder")
        lowest = self.state.minimum_bid_for(who).amount
        step = self.terms.increments.increment_for(lowest)
        kind = data.draw(st.integers(0, 19), label="amount kind")
        amount: object
        if kind == 0:
            amount = data.draw(st.sampled_from([0, -step, lowest + 0.5, float(lowest), True, str(lowest)]))
        elif kind < 8:
            amount = lowest + data.draw(st.integers(-2, 2))
        else:
            amount = lowest + data.draw(st.integers(-step, 30 * step))
        max_amount: object = None
        if isinstance(amount, int) and data.draw(st.booleans(), label="with a ceiling"):
            max_amount = amount + data.draw(st.integers(-1, 60 * step), label="ceiling above amount")
        return BidRequest(
            idempotency_key=f"key-{len(self.sent)}",
            bidder_id=who,
            bidder_is_seller=who == SELLER,
            rate_limited=data.draw(st.integers(0, 14), label="rate limit") == 0,
            amount=amount,  # type: ignore[arg-type]
            currency=data.draw(st.sampled_from(["EUR"] * 15 + ["USD"]), label="currency"),
            max_amount=max_amount,  # type: ignore[arg-type]
        )

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        original = data.draw(st.sampled_from(self.sent), label="retried request")
        variant = data.draw(st.sampled_from(["same", "rate_limited", "ceiling_spelled_out", "different"]))
        if variant == "rate_limited":
            request = replace(original, rate_limited=True)
        elif variant == "ceiling_spelled_out" and original.max_amount is None:
            request = replace(original, max_amount=original.amount)
        elif variant == "different":
            amount = original.amount + 1 if type(original.amount) is int else 1
            request = replace(original, amount=amount, max_amount=None)
        else:
            request = original

        before = self.state
        accepted = before.find_accepted(request.idempotency_key)
        if accepted is None:
            self.submit(request)
            return
        outcome = place_bid(before, request, self.now)
        assert outcome.state is before
        ceiling = request.amount if request.max_amount is None else request.max_amount
        same_bid = (
            request.bidder_id == accepted.bidder_id
            and request.currency == accepted.amount.currency
            and type(request.amount) is int
            and type(ceiling) is int
            and (request.amount, ceiling) == (accepted.amount.amount, accepted.max_amount.amount)
        )
        count_case(f"retry of an accepted key: {'same bid' if same_bid else 'different bid'}")
        if same_bid:
            assert isinstance(outcome, BidAccepted)
            assert outcome.replayed
            assert outcome.events == accepted.events
        else:
            assert isinstance(outcome, BidRejected)
            assert outcome.rejection.code is RejectionCode.IDEMPOTENCY_KEY_REUSED

    def submit(self, request: BidRequest) -> None:
        before = self.state
        outcome = place_bid(before, request, self.now)
        self.sent.append(request)
        expected = expected_rejection(before, request, self.now)
        count_case(f"bid: {'accepted' if expected is None else expected.value}")
        if isinstance(outcome, BidRejected):
            assert outcome.state is before
            assert outcome.rejection.code is expected
            if expected is RejectionCode.BID_TOO_LOW:
                assert outcome.rejection.minimum == before.minimum_bid_for(request.bidder_id)
            return
        assert expected is None
        assert not outcome.replayed
        self.check_accepted(before, request, outcome)
        self.state = outcome.state
        self.accepted_log.append((request, self.now))
        self.published.extend(outcome.events)

    def check_accepted(self, before: AuctionState, request: BidRequest, outcome: BidOutcome) -> None:
        assert isinstance(outcome, BidAccepted)
        assert request.bidder_id is not None
        after, events, terms = outcome.state, outcome.events, self.terms
        ceiling = request.amount if request.max_amount is None else request.max_amount

        # Sequence numbers continue the stream without gaps; bids first, then the extension.
        assert [event.seq for event in events] == list(
            range(before.last_seq + 1, before.last_seq + 1 + len(events))
        )
        assert after.last_seq == before.last_seq + len(events)
        bids = [event for event in events if isinstance(event, BidEvent)]
        extensions = [event for event in events if isinstance(event, ExtendedEvent)]
        assert list(events) == [*bids, *extensions]

        # An accepted request always raises its bidder's ceiling (a non-leader's old ceiling
        # is at most the price, below any acceptable amount).
        previous_ceiling = self.ceilings.get(request.bidder_id)
        assert previous_ceiling is None or ceiling > previous_ceiling[0]
        self.ceilings[request.bidder_id] = (ceiling, len(self.accepted_log))

        # Who bids what: the requester's own amount first (unless they already led, when only
        # a reserve jump may show), then only automatic bids.
        if before.leader_id == request.bidder_id:
            assert len(bids) <= 1
            for event in bids:
                assert event.automatic
                assert terms.reserve is not None
                assert event.amount == terms.reserve
        else:
            assert bids[0].bidder_id == request.bidder_id
            assert bids[0].amount == eur(request.amount)
            assert not bids[0].automatic
            assert all(event.automatic for event in bids[1:])

        # Each visible bid beats the previous price by a full increment, or is capped at its
        # bidder's ceiling (equal to the previous price at most: an earlier ceiling's tie), or
        # is the reserve jump. The first bid is at least the starting price.
        previous = None if before.price is None else before.price.amount
        for event in bids:
            amount = event.amount.amount
            assert event.at == self.now
            if previous is None:
                assert amount >= terms.starting_price.amount
            else:
                full_step = amount >= terms.increments.next_amount(previous)
                capped = amount == self.ceilings[event.bidder_id][0] and amount >= previous
                reserve_jump = terms.reserve is not None and amount == terms.reserve.amount > previous
                assert full_step or capped or reserve_jump, (previous, event)
            previous = amount
        if bids:
            assert after.price == bids[-1].amount
            assert after.leader_id == bids[-1].bidder_id
        else:
            assert after.price == before.price

        # Soft close: a visible bid at t leaves the end at max(end, t + N); nothing else moves it.
        expected_end = before.ends_at
        if bids and terms.kind is AuctionKind.SOFT_CLOSE:
            expected_end = max(before.ends_at, self.now + timedelta(seconds=terms.soft_close_seconds))
        assert after.ends_at == expected_end
        if terms.kind is AuctionKind.SOFT_CLOSE:
            window = "moved the end" if expected_end > before.ends_at else "left the end"
            count_case(f"soft close: {'a visible bid' if bids else 'a silent raise'} {window}")
        if expected_end > before.ends_at:
            assert extensions == [
                ExtendedEvent(
                    seq=after.last_seq, at=self.now, previous_ends_at=before.ends_at, ends_at=expected_end
                )
            ]
        else:
            assert extensions == []

    # ------------------------------------------------------------------ closing

    @rule()
    def close_auction(self) -> None:
        before = self.state
        outcome = close(before, self.now)
        if before.closing is not None:
            assert isinstance(outcome, Closed)
            assert outcome.replayed
            assert outcome.state is before
            assert outcome.event == before.closing
            return
        if self.now < before.ends_at:
            assert outcome == CloseDeferred(state=before, ends_at=before.ends_at)
            assert outcome.state is before
            return
        assert isinstance(outcome, Closed)
        assert not outcome.replayed
        result = outcome.result
        assert result.high_bidder_id == self.expected_leader()
        assert result.final_price == before.price
        price, reserve = before.price, self.terms.reserve
        assert result.reserve_met == (
            price is not None and (reserve is None or price.amount >= reserve.amount)
        )
        assert result.winner_id == (result.high_bidder_id if result.reserve_met else None)
        assert outcome.event.seq == before.last_seq + 1
        self.state = outcome.state
        self.published.append(outcome.event)
        self.closed_at = self.now

    # ------------------------------------------------------------------ replay

    @rule()
    def serial_replay_rebuilds_the_state(self) -> None:
        state = self.initial
        for request, at in self.accepted_log:
            outcome = place_bid(state, request, at)
            assert isinstance(outcome, BidAccepted)
            assert not outcome.replayed
            state = outcome.state
        if self.closed_at is not None:
            state = close(state, self.closed_at).state
        assert state == self.state

    def teardown(self) -> None:
        accepted = len(getattr(self, "accepted_log", ()))
        count_case(f"accepted bids per run: {'0' if not accepted else '1-4' if accepted < 5 else '5+'}")

    # ------------------------------------------------------------------ invariants

    def expected_leader(self) -> str | None:
        if not self.ceilings:
            return None
        return min(self.ceilings, key=lambda bidder: (-self.ceilings[bidder][0], self.ceilings[bidder][1]))

    @invariant()
    def the_leader_holds_the_highest_ceiling(self) -> None:
        leader = self.expected_leader()
        assert self.state.leader_id == leader
        if leader is not None:
            assert self.state.leader_max == eur(self.ceilings[leader][0])
            assert self.state.price is not None
            assert self.state.price.amount <= self.ceilings[leader][0]
            for bidder, (ceiling, _) in self.ceilings.items():
                if bidder != leader:
                    assert ceiling <= self.state.price.amount

    @invariant()
    def the_price_never_falls(self) -> None:
        price = 0 if self.state.price is None else self.state.price.amount
        assert price >= self.highest_price
        self.highest_price = price

    @invariant()
    def reserve_met_means_the_price_reached_it(self) -> None:
        state, reserve = self.state, self.terms.reserve
        assert state.reserve_met == (
            state.price is not None and (reserve is None or state.price.amount >= reserve.amount)
        )
        if reserve is not None and state.leader_max is not None and state.leader_max.amount >= reserve.amount:
            assert state.price is not None
            assert state.price.amount >= reserve.amount

    @invariant()
    def events_are_numbered_without_gaps(self) -> None:
        assert list(self.state.events) == self.published
        assert [event.seq for event in self.published] == list(range(1, len(self.published) + 1))
        assert self.state.last_seq == len(self.published)

    @invariant()
    def the_end_only_moves_later_and_only_with_soft_close(self) -> None:
        assert self.state.ends_at >= self.latest_end
        if self.terms.kind is AuctionKind.SUDDEN_DEATH:
            assert self.state.ends_at == self.terms.ends_at
        self.latest_end = self.state.ends_at

    @invariant()
    def the_state_round_trips_through_json(self) -> None:
        assert AuctionState.from_dict(json.loads(json.dumps(self.state.to_dict()))) == self.state


class SoftCloseMachine(AuctionMachine):
    kind = AuctionKind.SOFT_CLOSE


class SuddenDeathMachine(AuctionMachine):
    kind = AuctionKind.SUDDEN_DEATH


MACHINE_SETTINGS = settings(
    max_examples=200, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestSoftClose = SoftCloseMachine.TestCase
TestSoftClose.settings = MACHINE_SETTINGS
TestSuddenDeath = SuddenDeathMachine.TestCase
TestSuddenDeath.settings = MACHINE_SETTINGS


# ------------------------------------------------------------------ oracle


def ladder(increments: IncrementTable, start: int, rungs: int) -> list[int]:
    """The amounts a bidding UI offers: the starting price, then one increment at a time."""
    amounts = [start]
    while len(amounts) < rungs:
        amounts.append(increments.next_amount(amounts[-1]))
    return amounts


def second_price(
    ceilings: list[tuple[str, int]], start: int, reserve: int | None, increments: IncrementTable
) -> tuple[str, int]:
    """Brute force: the highest ceiling wins (the earliest among equals) and pays one increment
    over the best other ceiling, at most its own ceiling, and at least the reserve once its
    ceiling reaches it. Alone, it pays the starting price."""
    winner = max(range(len(ceilings)), key=lambda index: (ceilings[index][1], -index))
    winner_ceiling = ceilings[winner][1]
    others = [ceiling for index, (_, ceiling) in enumerate(ceilings) if index != winner]
    price = start if not others else min(increments.next_amount(max(others)), winner_ceiling)
    if reserve is not None and winner_ceiling >= reserve:
        price = max(price, reserve)
    return ceilings[winner][0], price


@settings(max_examples=300, deadline=None)
@given(data=st.data(), table=st.sampled_from([(SIMPLE_INCREMENTS, 100), (CENT_INCREMENTS, 95_00)]))
def test_pure_proxies_settle_at_the_brute_force_second_price(
    data: st.DataObject, table: tuple[IncrementTable, int]
) -> None:
    # Given distinct bidders, each sending one ceiling from the ladder with the minimum amount
    increments, start = table
    rungs = ladder(increments, start, 60)
    reserve = data.draw(st.none() | st.sampled_from(rungs), label="reserve")
    ceilings = data.draw(st.lists(st.sampled_from(rungs), min_size=1, max_size=8), label="ceilings")
    terms = make_terms(
        increments=increments, starting_price=eur(start), reserve=None if reserve is None else eur(reserve)
    )
    state = AuctionState.initial(terms)

    # When they bid in that order
    accepted: list[tuple[str, int]] = []
    for index, ceiling in enumerate(ceilings):
        bidder, lowest = f"bidder-{index}", state.minimum_bid.amount
        outcome = place_bid(state, bid(bidder, min(lowest, ceiling), ceiling), DURING)
        if ceiling < lowest:
            # a ceiling the price has already reached cannot bid, nor change who pays what
            assert isinstance(outcome, BidRejected)
            assert outcome.rejection.code is RejectionCode.BID_TOO_LOW
            assert state.price is not None
            assert ceiling <= state.price.amount
            continue
        assert isinstance(outcome, BidAccepted)
        accepted.append((bidder, ceiling))
        state = outcome.state

    # Then the close names the brute-force winner at the brute-force price
    winner, price = second_price(accepted, start, reserve, increments)
    closed = close(state, ENDS_AT)
    assert isinstance(closed, Closed)
    assert closed.result.high_bidder_id == winner
    assert closed.result.final_price == eur(price)
    assert closed.result.reserve_met == (reserve is None or price >= reserve)
