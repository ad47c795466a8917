"""Placing a bid. Bids on one auction are serialised by its row lock (SELECT … FOR UPDATE):
the engine judges the request against the locked state, and the new state, the visible bids
and the idempotency record commit together — or not at all. Events leave only after commit."""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis import RedisError

from alerts.services import notify
from auctions.broadcast import record_and_publish
from auctions.models import Auction, Bid, BidRequestRecord
from auctions.rules import (
    AcceptedBid,
    AuctionState,
    BidAccepted,
    BidEvent,
    BidRequest,
    ExtendedEvent,
    InvalidBidRequestError,
    place_bid,
)
from auctions.services.alerting import Outbid, bid_drafts
from core.errors import DomainError, NotFoundError
from core.money import Money
from core.redis import get_redis
from events import producers as events
from events.emit import Actor
from marketplace.models import User

logger = logging.getLogger(__name__)

# rejection code -> HTTP status of the typed error the API answers with: the auction's state
# refuses it (409), or a rule of the auction that no schema states does (422)
REJECTION_STATUS = {
    "not_allowed": 403,
    "rate_limited": 429,
    "auction_closed": 409,
    "auction_not_started": 409,
    "idempotency_key_reused": 409,
    "bid_too_low": 422,
    "invalid_amount": 422,
    "currency_mismatch": 422,
}


class BidRejectedError(DomainError):
    def __init__(self, code: str, message: str, minimum: dict[str, Any] | None) -> None:
        super().__init__(
            message,
            code=code,
            fields={"amount": [message]}
            if code in {"bid_too_low", "invalid_amount", "currency_mismatch"}
            else None,
        )
        self.status_code = REJECTION_STATUS.get(code, 422)
        self.minimum = minimum


@dataclass(frozen=True)
class BidPlaced:
    auction: Auction
    events: tuple[BidEvent | ExtendedEvent, ...]
    replayed: bool


@dataclass(frozen=True)
class BidSubmission:
    """One bid request, well formed (the API's and the socket's BidInput checked its shape);
    the engine judges it against the auction: its currency, its minimum, the proxy maximum."""

    bidder: User | None
    amount: Money
    max_amount: Money | None
    idempotency_key: str


def _rate_limited(auction_id: int, submissions: list[BidSubmission]) -> list[bool]:
    """At most BID_RATE_LIMIT requests per BID_RATE_WINDOW seconds per bidder and auction,
    counted in Redis (one round trip for the whole batch) so every server process shares the
    count."""
    bidders = [
        s.bidder.pk if s.bidder is not None and s.bidder.is_authenticated else None for s in submissions
    ]
    if not any(bidders):
        return [False] * len(submissions)
    try:
        with get_redis().pipeline(transaction=False) as pipe:
            for user_id in bidders:
                if user_id is not None:
                    key = f"bid-rate:{auction_id}:{user_id}"
                    pipe.incr(key)
                    pipe.expire(key, settings.BID_RATE_WINDOW, nx=True)
            replies = iter(pipe.execute())
    except RedisError:  # bidding lives in PostgreSQL; while Redis restarts, bids go through unlimited
        logger.warning(
            "rate limit unavailable (Redis unreachable); %s bid(s) on %s not limited",
            len(bidders),
            auction_id,
        )
        return [False] * len(submissions)
    limited = []
    for user_id in bidders:
        if user_id is None:
            limited.append(False)
            continue
        count, _ = next(replies), next(replies)
        limited.append(int(count) > settings.BID_RATE_LIMIT)
    return limited


def stored_state(auction: Auction) -> AuctionState:
    return AuctionState.from_dict(auction.state)


def _persistable(state: AuctionState) -> dict[str, Any]:
    """The state without its history of accepted requests (kept one row per key instead)."""
    return dataclasses.replace(state, accepted=()).to_dict()


MAX_BATCH = 200


@dataclass(eq=False)
class _Waiter:
    submission: BidSubmission
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    outcome: BidPlaced | Exception | None = None


@dataclass(eq=False)
class _Line:
    """The bids waiting on one auction in this process, and whether one of them leads."""

    waiting: list[_Waiter] = field(default_factory=list)
    leading: bool = False


_lines: dict[int, _Line] = {}
_lines_lock = threading.Lock()


def bid_place(
    *,
    auction_id: int,
    bidder: User | None,
    amount: Money,
    max_amount: Money | None = None,
    idempotency_key: str,
    now: datetime | None = None,
) -> BidPlaced:
    """Place one bid; raises BidRejectedError (or another DomainError) when it is refused.

    Concurrent calls on one auction within a process are placed together (group commit): the
    first caller leads and places, in one transaction, every bid queued at that moment, its
    own included; bids arriving meanwhile wait, and the first of them leads the next batch.
    A call alone on its auction is a batch of one and waits for nothing. Inside an outer
    transaction a bid is always placed alone: another caller's bid must not depend on a
    transaction that may still roll back."""
    submission = BidSubmission(bidder, amount, max_amount, idempotency_key)
    if transaction.get_connection().in_atomic_block:
        return _settled(bids_place(auction_id=auction_id, submissions=[submission], now=now)[0])
    waiter = _Waiter(submission)
    with _lines_lock:
        line = _lines.setdefault(auction_id, _Line())
        line.waiting.append(waiter)
        if not line.leading:
            line.leading = waiter.lead = True
    if not waiter.lead:
        waiter.done.wait()  # placed by a leader, or told to lead the next batch
    if waiter.outcome is None:
        _lead(auction_id, line, now)
    if waiter.outcome is None:  # _lead settles every bid of its batch, its own first
        raise RuntimeError("a bid was led without an outcome")
    return _settled(waiter.outcome)


def _settled(outcome: BidPlaced | Exception) -> BidPlaced:
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _lead(auction_id: int, line: _Line, now: datetime | None) -> None:
    with _lines_lock:
        batch = line.waiting[:MAX_BATCH]
        del line.waiting[:MAX_BATCH]
    try:
        outcomes = bids_place(auction_id=auction_id, submissions=[w.submission for w in batch], now=now)
        for waiter, outcome in zip(batch, outcomes, strict=True):
            waiter.outcome = outcome
    finally:
        for waiter in batch:
            if waiter.outcome is None:  # only a bug gets here: fail loudly, never hang
                waiter.outcome = RuntimeError("the bid batch ended without an outcome for this bid")
        with _lines_lock:
            successor = line.waiting[0] if line.waiting else None
            if successor is not None:
                successor.lead = True
            else:
                line.leading = False
                if _lines.get(auction_id) is line:
                    del _lines[auction_id]
        for waiter in batch:
            waiter.done.set()
        if successor is not None:
            successor.done.set()


def bids_place(
    *, auction_id: int, submissions: list[BidSubmission], now: datetime | None = None
) -> list[BidPlaced | Exception]:
    """Judge `submissions` in order, each against the state the previous ones left, in one
    transaction under one row lock (SELECT … FOR UPDATE) of the auction: the accepted bids,
    their idempotency records and the new state commit together, or not at all. Returns each
    submission's outcome: what it placed, or the error that refused it (which changed
    nothing). A batch is how one server process keeps up with a crowd bidding on one auction:
    the lock, the reads and the commit are paid once per batch instead of once per bid.
    When the batch fails beyond a refusal (a key raced in by another process, a lost
    connection), its bids are placed one by one, so that only the one at fault fails."""
    try:
        return list(_bids_place_together(auction_id, submissions, now))
    except DomainError as error:  # the auction itself refuses (it does not exist)
        return [error] * len(submissions)
    except Exception as error:
        if len(submissions) == 1:
            return [error]
        logger.warning(
            "a batch of %s bids on auction %s failed; placing them one by one", len(submissions), auction_id
        )
        return [bids_place(auction_id=auction_id, submissions=[s], now=now)[0] for s in submissions]


def _bids_place_together(
    auction_id: int, submissions: list[BidSubmission], now: datetime | None
) -> list[BidPlaced | DomainError]:
    limited = _rate_limited(auction_id, submissions)
    outcomes: list[BidPlaced | DomainError] = []
    with transaction.atomic():
        auction = Auction.objects.select_for_update().filter(pk=auction_id).first()
        if auction is None:
            raise NotFoundError("No such auction.")
        now = now or timezone.now()
        keys = {s.idempotency_key for s in submissions if s.bidder is not None and s.bidder.is_authenticated}
        records = BidRequestRecord.objects.filter(auction=auction, idempotency_key__in=keys) if keys else []
        # the engine judges a retry against the original request
        state = dataclasses.replace(
            stored_state(auction), accepted=tuple(AcceptedBid.from_dict(r.accepted) for r in records)
        )
        new_bids: list[Bid] = []
        new_records: list[BidRequestRecord] = []
        published: list[tuple[Auction, AuctionState, tuple[BidEvent | ExtendedEvent, ...]]] = []
        outbid: list[Outbid] = []
        for submission, rate_limited in zip(submissions, limited, strict=True):
            bidder = submission.bidder
            bidder_id = str(bidder.pk) if bidder is not None and bidder.is_authenticated else None
            maximum = submission.max_amount
            if maximum is not None and maximum.currency != submission.amount.currency:
                message = "The maximum must be in the same currency as the bid."
                outcomes.append(BidRejectedError("currency_mismatch", message, None))
                _bid_event(auction, submission, code="currency_mismatch")
                continue
            try:
                request = BidRequest(
                    idempotency_key=submission.idempotency_key,
                    bidder_id=bidder_id,
                    bidder_is_seller=bidder is not None and bidder.pk == auction.seller_id,
                    rate_limited=rate_limited,
                    amount=submission.amount.minor,
                    currency=submission.amount.currency,
                    max_amount=submission.max_amount.minor if submission.max_amount else None,
                )
            except InvalidBidRequestError as error:
                outcomes.append(
                    DomainError(str(error), code="invalid_request", fields={"idempotency_key": [str(error)]})
                )
                _bid_event(auction, submission, code="invalid_request")
                continue
            outcome = place_bid(state, request, now)
            if not isinstance(outcome, BidAccepted):
                rejection = outcome.rejection
                minimum = rejection.minimum.to_dict() if rejection.minimum else None
                outcomes.append(BidRejectedError(str(rejection.code), rejection.message, minimum))
                _bid_event(auction, submission, code=str(rejection.code))
                continue
            if outcome.replayed:  # the same request again: the bid it placed was told already
                outcomes.append(BidPlaced(auction, outcome.events, replayed=True))
                continue
            leader = state.leader_id
            state = outcome.state
            accepted = state.find_accepted(submission.idempotency_key)
            if accepted is None or bidder is None:  # the engine accepts only a known bidder's key
                raise RuntimeError("the rules accepted a bid they do not record")
            visible = [event for event in outcome.events if isinstance(event, BidEvent)]
            if leader is not None and state.leader_id != leader and visible and state.price is not None:
                # a proxy whose maximum still holds keeps the lead: only a lost lead is told
                outbid.append(Outbid(int(leader), visible[-1].seq, state.price.amount))
            new_bids += [
                Bid(
                    auction=auction,
                    seq=event.seq,
                    bidder_id=int(event.bidder_id),
                    amount=event.amount.amount,
                    automatic=event.automatic,
                    placed_at=event.at,
                )
                for event in visible
            ]
            new_records.append(
                BidRequestRecord(
                    auction=auction,
                    idempotency_key=submission.idempotency_key,
                    bidder=bidder,
                    accepted=accepted.to_dict(),
                )
            )
            auction.ends_at = state.ends_at
            auction.current_price = state.price.amount if state.price else None
            auction.bid_count += len(visible)
            auction.last_seq = state.last_seq
            auction.reserve_met = state.reserve_met
            # each event is described as of its own bid (count, minimum, end), not the batch's
            moment = copy.copy(auction)
            moment.state = _persistable(state)  # the reply's snapshot reads it
            published.append((moment, state, outcome.events))
            outcomes.append(BidPlaced(moment, outcome.events, replayed=False))
            _bid_event(auction, submission, placed=outcome.events)
        if new_records:
            auction.state = moment.state
            Bid.objects.bulk_create(new_bids)
            BidRequestRecord.objects.bulk_create(new_records)
            auction.save(
                update_fields=["state", "ends_at", "current_price", "bid_count", "last_seq", "reserve_met"]
            )
            record_and_publish(published)
            if new_bids and state.price is not None:
                notify(bid_drafts(auction, outbid=outbid, last_seq=state.last_seq, price=state.price.amount))
    return outcomes


def _bid_event(
    auction: Auction,
    submission: BidSubmission,
    *,
    code: str | None = None,
    placed: tuple[BidEvent | ExtendedEvent, ...] = (),
) -> None:
    """The bid's event (and the extension it caused), in the batch's transaction. The actor is
    the bidder alone: the batch runs in one of its bidders' requests, whose visit is not theirs."""
    bidder = submission.bidder
    actor = Actor(user_id=bidder.pk if bidder is not None and bidder.is_authenticated else None)
    typed = next((e for e in placed if isinstance(e, BidEvent) and not e.automatic), None)
    events.buyer_placed_bid(
        auction_id=auction.pk,
        machine_id=auction.machine_id,
        amount=submission.amount,
        max_amount=submission.max_amount,
        proxy=submission.max_amount is not None,
        accepted=code is None,
        rejection_code=code,
        seq=typed.seq if typed is not None else None,
        actor=actor,
    )
    for extension in (e for e in placed if isinstance(e, ExtendedEvent)):
        events.auction_extended(
            auction_id=auction.pk,
            machine_id=auction.machine_id,
            ends_at=extension.ends_at,
            extended_by_s=int((extension.ends_at - extension.previous_ends_at).total_seconds()),
            actor=actor,
        )
