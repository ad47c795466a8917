"""The typed answer to a refused bid request: a value, never raised (see `_errors.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from auctions.rules._errors import InvalidStateError
from auctions.rules._money import Money


class RejectionCode(StrEnum):
    """Stable codes; clients branch on them, so a value never changes once released."""

    BID_TOO_LOW = "bid_too_low"
    AUCTION_CLOSED = "auction_closed"
    AUCTION_NOT_STARTED = "auction_not_started"
    NOT_ALLOWED = "not_allowed"
    RATE_LIMITED = "rate_limited"
    CURRENCY_MISMATCH = "currency_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """Why a bid request was refused. `minimum` is set only for `bid_too_low`: the smallest
    plain bid (amount without a separate maximum) this bidder could place right now."""

    code: RejectionCode
    message: str
    minimum: Money | None = None

    def __post_init__(self) -> None:
        if (self.code is RejectionCode.BID_TOO_LOW) != (self.minimum is not None):
            raise InvalidStateError("a rejection carries a minimum exactly when it is bid_too_low")

    def to_dict(self) -> dict[str, Any]:
        """The API error body: `{"code": ..., "message": ..., "minimum": ...}`."""
        return {
            "code": self.code.value,
            "message": self.message,
            "minimum": None if self.minimum is None else self.minimum.to_dict(),
        }
