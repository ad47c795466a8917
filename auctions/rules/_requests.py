"""A bid request as the bidder sent it, plus the facts about them that only the caller knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from auctions.rules._errors import InvalidBidRequestError

MAX_IDEMPOTENCY_KEY_LENGTH: Final = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class BidRequest:
    """One attempt to bid, keyed for safe retries.

    `amount`, `max_amount` and `currency` are what the client submitted, unvalidated: the
    engine answers `invalid_amount` or `currency_mismatch` instead of the caller raising, so a
    float or a negative number reaching here is a rejection, not a crash. `amount` is the
    visible bid placed now; `max_amount` (at least `amount`) is the hidden ceiling up to which
    the system keeps bidding for the bidder. Without it the ceiling is `amount` itself.

    The facts have no defaults on purpose: a caller that forgets to ask whether the bidder is
    the seller must fail loudly, not let the seller bid.
    """

    idempotency_key: str
    bidder_id: str | None  # None: not logged in
    bidder_is_seller: bool
    rate_limited: bool
    amount: int
    currency: str
    max_amount: int | None = None

    def __post_init__(self) -> None:
        key = self.idempotency_key
        if not isinstance(key, str) or not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise InvalidBidRequestError(
                f"idempotency_key must be a non-empty string of at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters"
            )
        if self.bidder_id is not None and (not isinstance(self.bidder_id, str) or not self.bidder_id):
            raise InvalidBidRequestError("bidder_id must be a non-empty string, or None when not logged in")
