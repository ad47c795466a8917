"""Money as integer minor units (cents, yen, fils): no floats or Decimals reach the rules, so
every comparison and sum is exact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from auctions.rules._dicts import Data, read_int, read_str
from auctions.rules._errors import InvalidMoneyError, UnknownCurrencyError

# ISO 4217 exponents: how many minor units make one major unit, as a power of ten.
MINOR_UNITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        # zero-decimal
        "CLP": 0,
        "ISK": 0,
        "JPY": 0,
        "KRW": 0,
        "VND": 0,
        # two decimals
        "AED": 2,
        "AUD": 2,
        "BRL": 2,
        "CAD": 2,
        "CHF": 2,
        "CNY": 2,
        "CZK": 2,
        "DKK": 2,
        "EUR": 2,
        "GBP": 2,
        "HKD": 2,
        "HUF": 2,
        "IDR": 2,
        "ILS": 2,
        "INR": 2,
        "MXN": 2,
        "MYR": 2,
        "NOK": 2,
        "NZD": 2,
        "PHP": 2,
        "PLN": 2,
        "RON": 2,
        "SAR": 2,
        "SEK": 2,
        "SGD": 2,
        "THB": 2,
        "TRY": 2,
        "USD": 2,
        "ZAR": 2,
        # three decimals
        "BHD": 3,
        "JOD": 3,
        "KWD": 3,
        "OMR": 3,
        "TND": 3,
    }
)

# Amounts must stay exact in the browser too: JavaScript numbers are exact only up to 2**53.
MAX_AMOUNT: Final = 10**15


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
