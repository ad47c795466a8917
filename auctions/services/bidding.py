"""Placing a bid. Bids on one auction are serialised by its row lock (SELECT … FOR UPDATE):
the engine judges the request against the locked state, and the new state, the visible bids
and the idempotency record commit together — or not at all. Events leave only after commit."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis import RedisError

from auctions.broadcast import publish_after_commit
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
from config.errors import DomainError, NotFoundError
from config.redis import get_redis
from marketplace.models import User

logger = logging.getLogger(__name__)

# rejection code -> HTTP status of the typed error the API answers with
REJECTION_STATUS = {
    "not_allowed": 403,
    "rate_limited": 429,
    "auction_closed": 409,
    "auction_not_started": 409,
    "idempotency_key_reused": 409,
}


class BidRejectedError(DomainError):
    def __init__(self, code: str, message: str, minimum: dict[str, Any] | None) -> None:
        super().__init__(
            message,
            code=code,
            fields={"amount": [message]} if code in {"bid_too_low", "invalid_amount"} else None,
        )
        self.status_code = REJECTION_STATUS.get(code, 400)
        self.minimum = minimum


@dataclass(frozen=True)
class BidPlaced:
    auction: Auction
    events: tuple[BidEvent | ExtendedEvent, ...]
    replayed: bool


def _rate_limited(auction_id: int, user_id: int) -> bool:
    """At most BID_RATE_LIMIT requests per BID_RATE_WINDOW seconds per bidder and auction,
    counted in Redis so every server process shares the count."""
    key = f"bid-rate:{auction_id}:{user_id}"
    client = get_redis()
    try:
        with client.pipeline() as pipe:
            pipe.incr(key)
            pipe.expire(key, settings.BID_RATE_WINDOW, nx=True)
            count, _ = pipe.execute()
    except RedisError:  # bidding lives in PostgreSQL; while Redis restarts, bids go through unlimited
        logger.warning(
            "rate limit unavailable (Redis unreachable); bid %s/%s not limited", auction_id, user_id
        )
        return False
    return int(count) > settings.BID_RATE_LIMIT


def stored_state(auction: Auction) -> AuctionState:
    return AuctionState.from_dict(auction.state)


def _persistable(state: AuctionState) -> dict[str, Any]:
    """The state without its history of accepted requests (kept one row per key instead)."""
    return dataclasses.replace(state, accepted=()).to_dict()


def bid_place(
    *,
    auction_id: int,
    bidder: User | None,
    amount: Any,
    max_amount: Any = None,
    idempotency_key: str,
    now: datetime | None = None,
) -> BidPlaced:
    limited = bidder is not None and bidder.is_authenticated and _rate_limited(auction_id, bidder.pk)
    with transaction.atomic():
        auction = Auction.objects.select_for_update().filter(pk=auction_id).first()
        if auction is None:
            raise NotFoundError("No such auction.")
        now = now or timezone.now()
        state = stored_state(auction)
        bidder_id = str(bidder.pk) if bidder is not None and bidder.is_authenticated else None
        record = None
        if bidder_id is not None:
            record = BidRequestRecord.objects.filter(auction=auction, idempotency_key=idempotency_key).first()
            if record is not None:  # the engine judges a retry against the original request
                state = dataclasses.replace(state, accepted=(AcceptedBid.from_dict(record.accepted),))
        try:
            request = BidRequest(
                idempotency_key=idempotency_key,
                bidder_id=bidder_id,
                bidder_is_seller=bidder is not None and bidder.pk == auction.seller_id,
                rate_limited=limited,
                amount=amount,
                currency=auction.currency,
                max_amount=max_amount,
            )
        except InvalidBidRequestError as error:
            raise DomainError(
                str(error), code="invalid_request", fields={"idempotency_key": [str(error)]}
            ) from None
        outcome = place_bid(state, request, now)
        if not isinstance(outcome, BidAccepted):
            rejection = outcome.rejection
            minimum = rejection.minimum.to_dict() if rejection.minimum else None
            raise BidRejectedError(str(rejection.code), rejection.message, minimum)
        if outcome.replayed:
            return BidPlaced(auction, outcome.events, replayed=True)
        new_state = outcome.state
        accepted = new_state.find_accepted(idempotency_key)
        assert accepted is not None
        assert bidder is not None
        visible = [event for event in outcome.events if isinstance(event, BidEvent)]
        Bid.objects.bulk_create(
            [
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
        )
        BidRequestRecord.objects.create(
            auction=auction, idempotency_key=idempotency_key, bidder=bidder, accepted=accepted.to_dict()
        )
        auction.state = _persistable(new_state)
        auction.ends_at = new_state.ends_at
        auction.current_price = new_state.price.amount if new_state.price else None
        auction.bid_count += len(visible)
        auction.last_seq = new_state.last_seq
        auction.reserve_met = new_state.reserve_met
        auction.save(
            update_fields=["state", "ends_at", "current_price", "bid_count", "last_seq", "reserve_met"]
        )
        publish_after_commit(auction, outcome.events)
    return BidPlaced(auction, outcome.events, replayed=False)
