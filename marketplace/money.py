"""Money is integer minor units (cents, yen) with a currency code, everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

NANO = 1_000_000_000


@dataclass(frozen=True)
class Rate:
    minor_units: int
    rate_to_pivot_nano: int
    symbol: str


@lru_cache(maxsize=64)
def _rate(code: str) -> Rate:
    from marketplace.models import Currency

    currency = Currency.objects.get(code=code)
    return Rate(currency.minor_units, currency.rate_to_pivot_nano, currency.symbol)


def clear_rate_cache() -> None:
    _rate.cache_clear()


def to_pivot(amount: int, currency: str) -> int:
    """Minor units of `currency` → minor units of the pivot currency (EUR), rounded half-even."""
    scaled = Decimal(amount) * Decimal(_rate(currency).rate_to_pivot_nano) / Decimal(NANO)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def convert(amount: int, source: str, target: str) -> int:
    if source == target:
        return amount
    pivot = Decimal(amount) * Decimal(_rate(source).rate_to_pivot_nano) / Decimal(NANO)
    scaled = pivot * Decimal(NANO) / Decimal(_rate(target).rate_to_pivot_nano)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-_rate(currency).minor_units)


def format_money(amount: int, currency: str) -> str:
    rate = _rate(currency)
    value = major(amount, currency)
    text = f"{value:,.{rate.minor_units}f}"
    return f"{rate.symbol}{text}" if rate.symbol and len(rate.symbol) <= 3 else f"{text} {currency}"


def convert_bound(amount: int, source: str, target: str, *, bound: str) -> int:
    """A price bound (minor units of `source`) in whole major units of `target`, rounded
    outwards (a minimum down, a maximum up), so the converted range keeps every listing the
    typed one found."""
    converted = convert(amount, source, target)
    whole = 10 ** _rate(target).minor_units
    return (converted // whole if bound == "min" else -(-converted // whole)) * whole
