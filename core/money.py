"""Money at the edges: one shape for every amount the API and the event streams carry.

Inside, amounts are integer minor units (cents, yen) with an ISO 4217 code: exact, and the
same in PostgreSQL, the search index and the bidding rules. Outside, a person or a client
reads and writes decimal major units, so every amount travels as

    {"amount": "1250.00", "currency": "EUR", "minor": 125000}

`amount` is a decimal string with exactly the currency's exponent of digits after the point
(JPY 0, EUR 2, KWD 3), never a float; `minor` is the same amount in minor units, for clients
that compute. Requests send `amount` and `currency` alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

# ISO 4217 exponents: how many digits follow the decimal point.
MINOR_UNITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        **dict.fromkeys(("CLP", "ISK", "JPY", "KRW", "VND"), 0),
        **dict.fromkeys(
            (
                "AED", "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS",
                "INR", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SAR", "SEK", "SGD", "THB", "TRY", "USD",
                "ZAR",
            ),
            2,
        ),
        **dict.fromkeys(("BHD", "JOD", "KWD", "OMR", "TND"), 3),
    }
)  # fmt: skip

# Amounts stay exact in a browser too: JavaScript numbers are exact only up to 2**53.
MAX_MINOR: Final = 10**15
MAX_DIGITS: Final = 15  # of an amount in minor units: 10**15 - 1 at the most


def amount_pattern(places: int, *, positive: bool = False) -> str:
    """The decimal strings of amounts with at most `places` digits after the point (no leading
    zeros; at most MAX_DIGITS digits as minor units); with `positive`, more than zero. The
    OpenAPI document states these patterns, and `Money.parse` checks them."""
    whole = MAX_DIGITS - places
    integer = f"(0|[1-9][0-9]{{0,{whole - 1}}})"
    fraction = f"(\\.[0-9]{{1,{places}}})?" if places else ""
    if not positive:
        return f"^{integer}{fraction}$"
    nonzero_whole = f"[1-9][0-9]{{0,{whole - 1}}}{fraction}"
    if not places:
        return f"^{nonzero_whole}$"
    # 0.xyz with a digit other than 0 somewhere after the point
    nonzero_fraction = "|".join(
        "0" * lead + "[1-9]" + (f"[0-9]{{0,{places - lead - 1}}}" if places - lead > 1 else "")
        for lead in range(places)
    )
    return f"^({nonzero_whole}|0\\.({nonzero_fraction}))$"


# An amount of some currency (its own places and digits are checked by `Money.parse`).
AMOUNT_PATTERN: Final = r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,3})?$"


class MoneyError(ValueError):
    """An amount that is not money in its currency; the message says why, for a person."""


def minor_units(currency: str) -> int:
    """The ISO 4217 exponent of `currency` (JPY 0, EUR 2, KWD 3)."""
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise MoneyError(f"{currency!r} is not a currency this service knows.") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `Money(125_000, "EUR")` is EUR 1,250.00."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(f"A money amount is a whole number of minor units, not {self.minor!r}.")
        if not -MAX_MINOR < self.minor < MAX_MINOR:
            raise MoneyError("The amount is too large.")
        minor_units(self.currency)

    @property
    def major(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_units(self.currency))

    @property
    def amount(self) -> str:
        """The decimal string of major units, with the currency's digits after the point."""
        return f"{self.major:.{minor_units(self.currency)}f}"

    def to_json(self) -> dict[str, Any]:
        """The shape every response carries."""
        return {"amount": self.amount, "currency": self.currency, "minor": self.minor}

    def to_request(self) -> dict[str, Any]:
        """The shape a request sends (`minor` is for reading only)."""
        return {"amount": self.amount, "currency": self.currency}

    @classmethod
    def parse(cls, amount: str, currency: str) -> Money:
        """`amount` in major units ("1250.00", "1250", "9000000"); at most the currency's digits
        after the point."""
        exponent = minor_units(currency)
        if not isinstance(amount, str) or not re.match(AMOUNT_PATTERN, amount):
            raise MoneyError('Write the amount as a decimal string of major units, such as "1250.00".')
        if not re.match(amount_pattern(exponent), amount):
            places = "no decimal places" if exponent == 0 else f"at most {exponent} decimal places"
            raise MoneyError(
                f"{currency} amounts have {places}, and at most {MAX_DIGITS - exponent} digits before."
            )
        return cls(int(Decimal(amount).scaleb(exponent)), currency)


def typed_amount(text: str) -> str:
    """An amount as a person types it ("1,250.00", "3 000 000") as the decimal string the
    API takes: digit group separators and spaces dropped (what is left is checked by `parse`)."""
    return "".join(character for character in text if character not in ", \u00a0\u202f").strip()
