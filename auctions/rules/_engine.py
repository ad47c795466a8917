"""The bidding engine: pure functions from (state, request, now) to an outcome.

Nothing here reads the clock, touches storage or keeps anything between calls: the same
inputs always give the same outcome, so the service can run it under a row lock and persist
`outcome.state`, and a state can be rebuilt by replaying its accepted requests.

How a request is judged, in this order (the first failing check answers):

1. Its idempotency key was already accepted: same bidder and amounts -> the original outcome,
   `replayed=True`, nothing changes; anything else -> `idempotency_key_reused`. Rejections
   are not remembered (remembering would be a change), so a refused key may be retried.
2. `not_allowed` (not logged in, or the seller), then `rate_limited`.
3. `auction_closed` (closed, or `now >= ends_at`) or `auction_not_started` (`now < starts_at`).
4. `currency_mismatch`, then `invalid_amount`: amounts must be ints in 1..MAX_AMOUNT and
   `max_amount >= amount`.
5. `bid_too_low`: `amount >= state.minimum_bid`; the leader must also raise their ceiling.

How an accepted request moves the price. `amount` is a visible bid placed now, `max_amount`
the hidden ceiling (a plain bid's ceiling is its amount). The leader L has ceiling Lm; the
requester C has amount A and ceiling M; inc(x) is the increment table's step at x:

* first bid: C leads at A.
* C is the leader: nobody is outbid, so no visible bid; the ceiling rises to M.
* M > Lm (C takes the lead): C bids A. If Lm >= A, L's proxy answers with its whole ceiling
  Lm (at Lm == A the earlier ceiling may match the amount) and C's proxy beats it with
  min(Lm + inc(Lm), M). If Lm < A, L's proxy cannot answer and the price is A.
* M <= Lm (L keeps the lead; a tie goes to L's earlier ceiling): C bids A, C's proxy goes up
  to M if M > A, and L's proxy answers with min(M + inc(M), Lm).
* Reserve jump: if the leader's ceiling has reached the reserve and the price is below it,
  the leader's proxy bids the reserve itself.

So every visible bid either beats the previous price by a full increment, or is capped at its
bidder's ceiling (possibly equal to the previous price: the earlier ceiling wins the tie), or
is the reserve jump; the first bid is at least the starting price. With pure proxies (amount =
the minimum bid) this is the second-price rule: the winner pays min(runner-up's ceiling +
increment, own ceiling), at least the reserve once their ceiling reaches it.

Soft close: a request that produced a visible bid at `now` sets the end to
max(ends_at, now + soft_close_seconds) and reports an `ExtendedEvent` if that moved it. A
silent ceiling raise does not extend: the moving end would give the secret away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from auctions.rules._events import AuctionResult, BidEvent, ClosedEvent, ExtendedEvent
from auctions.rules._money import MAX_AMOUNT, Money
from auctions.rules._outcomes import BidAccepted, BidOutcome, BidRejected, Closed, CloseDeferred, CloseOutcome
from auctions.rules._rejections import Rejection, RejectionCode
from auctions.rules._requests import BidRequest
from auctions.rules._state import AcceptedBid, AuctionKind, AuctionState, AuctionStatus
from auctions.rules._time import as_utc


@dataclass(frozen=True, slots=True)
class _ValidBid:
    bidder_id: str
    amount: int
    max_amount: int


@dataclass(frozen=True, slots=True)
class _Standing:
    price: int
    leader_id: str
    leader_max: int


@dataclass(frozen=True, slots=True)
class _VisibleBid:
    bidder_id: str
    amount: int
    automatic: bool


def place_bid(state: AuctionState, request: BidRequest, now: datetime) -> BidOutcome:
    """Judge `request` at `now` against `state`; see the module docstring for the rules."""
    now = as_utc(now, "now")
    previous = state.find_accepted(request.idempotency_key)
    if previous is not None:
        if previous.matches(request):
            return BidAccepted(state=state, events=previous.events, replayed=True)
        return _rejected(
            state,
            RejectionCode.IDEMPOTENCY_KEY_REUSED,
            "this idempotency key was already used for a different bid; send a new key",
        )
    checked = _check(state, request, now)
    if isinstance(checked, Rejection):
        return BidRejected(state=state, rejection=checked)

    standing, visible = _contest(state, checked)
    first_seq = state.last_seq + 1
    events: list[BidEvent | ExtendedEvent] = [
        BidEvent(
            seq=first_seq + index,
            at=now,
            bidder_id=bid.bidder_id,
            amount=Money(bid.amount, state.terms.currency),
            automatic=bid.automatic,
        )
        for index, bid in enumerate(visible)
    ]
    ends_at = state.ends_at
    if visible and state.terms.kind is AuctionKind.SOFT_CLOSE:
        ends_at = max(state.ends_at, now + timedelta(seconds=state.terms.soft_close_seconds))
        if ends_at > state.ends_at:
            events.append(
                ExtendedEvent(
                    seq=first_seq + len(events), at=now, previous_ends_at=state.ends_at, ends_at=ends_at
                )
            )
    currency = state.terms.currency
    record = AcceptedBid(
        idempotency_key=request.idempotency_key,
        bidder_id=checked.bidder_id,
        amount=Money(checked.amount, currency),
        max_amount=Money(checked.max_amount, currency),
        placed_at=now,
        events=tuple(events),
    )
    new_state = replace(
        state,
        ends_at=ends_at,
        price=Money(standing.price, currency),
        leader_id=standing.leader_id,
        leader_max=Money(standing.leader_max, currency),
        last_seq=state.last_seq + len(events),
        accepted=(*state.accepted, record),
    )
    return BidAccepted(state=new_state, events=record.events)


def close(state: AuctionState, now: datetime) -> CloseOutcome:
    """Close the auction once `now` has reached its (possibly extended) end. Closing again
    returns the original result and changes nothing; closing early changes nothing and says
    when the auction now ends."""
    now = as_utc(now, "now")
    if state.closing is not None:
        return Closed(state=state, event=state.closing, replayed=True)
    if now < state.ends_at:
        return CloseDeferred(state=state, ends_at=state.ends_at)
    result = AuctionResult(
        high_bidder_id=state.leader_id, final_price=state.price, reserve_met=state.reserve_met
    )
    event = ClosedEvent(seq=state.last_seq + 1, at=now, result=result)
    return Closed(state=replace(state, last_seq=event.seq, closing=event), event=event)


def _rejected(
    state: AuctionState, code: RejectionCode, message: str, minimum: Money | None = None
) -> BidRejected:
    return BidRejected(state=state, rejection=Rejection(code=code, message=message, minimum=minimum))


def _is_valid_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_AMOUNT


def _check(state: AuctionState, request: BidRequest, now: datetime) -> _ValidBid | Rejection:
    bidder_id = request.bidder_id
    if bidder_id is None:
        return Rejection(code=RejectionCode.NOT_ALLOWED, message="log in to bid")
    if request.bidder_is_seller:
        return Rejection(code=RejectionCode.NOT_ALLOWED, message="sellers cannot bid on their own auction")
    if request.rate_limited:
        return Rejection(code=RejectionCode.RATE_LIMITED, message="too many bids; wait a moment and retry")

    status = state.status(now)
    if status in (AuctionStatus.ENDED, AuctionStatus.CLOSED):
        return Rejection(code=RejectionCode.AUCTION_CLOSED, message="the auction has ended")
    if status is AuctionStatus.NOT_STARTED:
        return Rejection(code=RejectionCode.AUCTION_NOT_STARTED, message="the auction has not started yet")

    currency = state.terms.currency
    if request.currency != currency:
        return Rejection(
            code=RejectionCode.CURRENCY_MISMATCH,
            message=f"this auction is in {currency}, the bid in {request.currency!r}",
        )

    amount = request.amount
    max_amount = amount if request.max_amount is None else request.max_amount
    if not (_is_valid_amount(amount) and _is_valid_amount(max_amount)):
        return Rejection(
            code=RejectionCode.INVALID_AMOUNT,
            message=f"amounts must be whole numbers of minor units between 1 and {MAX_AMOUNT}",
        )
    if max_amount < amount:
        return Rejection(code=RejectionCode.INVALID_AMOUNT, message="max_amount must not be below amount")

    is_leader = bidder_id == state.leader_id and state.leader_max is not None
    raises_ceiling = not is_leader or (state.leader_max is not None and max_amount > state.leader_max.amount)
    if amount < state.minimum_bid.amount or not raises_ceiling:
        minimum = state.minimum_bid_for(bidder_id)
        return Rejection(
            code=RejectionCode.BID_TOO_LOW,
            message=f"the lowest acceptable bid is {minimum.amount} ({currency} minor units)",
            minimum=minimum,
        )
    return _ValidBid(bidder_id=bidder_id, amount=amount, max_amount=max_amount)


def _contest(state: AuctionState, bid: _ValidBid) -> tuple[_Standing, list[_VisibleBid]]:
    """Run the proxy contest between `bid` and the leader in closed form: at most one step
    per side instead of one increment at a time."""
    increments = state.terms.increments
    own = _VisibleBid(bid.bidder_id, bid.amount, automatic=False)
    visible: list[_VisibleBid] = []
    if state.price is None or state.leader_id is None or state.leader_max is None:
        visible.append(own)
        standing = _Standing(bid.amount, bid.bidder_id, bid.max_amount)
    else:
        leader_id, leader_max = state.leader_id, state.leader_max.amount
        if leader_id == bid.bidder_id:
            standing = _Standing(state.price.amount, leader_id, bid.max_amount)
        elif bid.max_amount > leader_max:
            visible.append(own)
            price = bid.amount
            if leader_max >= bid.amount:
                price = min(increments.next_amount(leader_max), bid.max_amount)
                visible.append(_VisibleBid(leader_id, leader_max, automatic=True))
                visible.append(_VisibleBid(bid.bidder_id, price, automatic=True))
            standing = _Standing(price, bid.bidder_id, bid.max_amount)
        else:
            visible.append(own)
            if bid.max_amount > bid.amount:
                visible.append(_VisibleBid(bid.bidder_id, bid.max_amount, automatic=True))
            price = min(increments.next_amount(bid.max_amount), leader_max)
            visible.append(_VisibleBid(leader_id, price, automatic=True))
            standing = _Standing(price, leader_id, leader_max)

    reserve = state.terms.reserve
    if reserve is not None and standing.leader_max >= reserve.amount > standing.price:
        visible.append(_VisibleBid(standing.leader_id, reserve.amount, automatic=True))
        standing = replace(standing, price=reserve.amount)
    return standing, visible
