"""Errors and rejections of the bidding rules.

Two kinds of "no" live here, and they are deliberately different.

A *rejection* is an expected answer to a bid request: the bid is too low, the auction has
closed, the bidder is rate limited. It is a value returned inside `BidRejected` (see `_rejections.py`), never raised,
and it carries a stable machine-readable `RejectionCode` that the API hands to clients.

An *exception* means the caller broke a contract: terms built with an unknown currency, a
naive datetime, a dict that `to_dict` never produced. Those are bugs or corrupt data, not
something a bidder did, so they are raised::

    ValueError
     └── RulesError
          ├── UnknownCurrencyError        currency not in the minor-units table
          ├── InvalidMoneyError           amount is not an int
          ├── InvalidIncrementTableError  bands empty, unordered or with shrinking increments
          ├── InvalidTermsError           auction terms inconsistent with each other
          ├── InvalidBidRequestError      idempotency key or bidder id malformed
          ├── NaiveDatetimeError          a datetime without a time zone
          └── InvalidStateError           state inconsistent, or a dict it cannot be read from
"""

from __future__ import annotations


class RulesError(ValueError):
    """Base class: the caller handed the rules something they must never receive."""


class UnknownCurrencyError(RulesError):
    pass


class InvalidMoneyError(RulesError):
    pass


class InvalidIncrementTableError(RulesError):
    pass


class InvalidTermsError(RulesError):
    pass


class InvalidBidRequestError(RulesError):
    pass


class NaiveDatetimeError(RulesError):
    pass


class InvalidStateError(RulesError):
    pass
