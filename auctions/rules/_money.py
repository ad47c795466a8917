"""Money as integer minor units (cents, yen, fils): no floats or Decimals reach the rules, so
every comparison and sum is exact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from auctions.rules._dicts import Data, read_int, read_str
from auctions.rules._errors import InvalidMoneyError, UnknownCurrencyError
from core.money import MAX_MINOR
from core.money import MINOR_UNITS as CURRENCY_EXPONENTS

# ISO 4217 exponents: how many minor units make one major unit, as a power of ten (the
# table is the service's one, core.money's).
MINOR_UNITS: Final[Mapping[str, int]] = CURRENCY_EXPONENTS

# Amounts must stay exact in the browser too: JavaScript numbers are exact only up to 2**53.
MAX_AMOUNT: Final = MAX_MINOR


def minor_units(currency: str) -> int:
    """The ISO 4217 exponent of `currency` (JPY 0, EUR 2, KWD 3)."""
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise UnknownCurrencyError(f"unknown currency {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `Money(125_000, "EUR")` is EUR 1,250.00."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidMoneyError(f"amount must be an int of minor units, got {self.amount!r}")
        minor_units(self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    @classmethod
    def from_dict(cls, data: Data) -> Money:
        return cls(read_int(data, "amount"), read_str(data, "currency"))
