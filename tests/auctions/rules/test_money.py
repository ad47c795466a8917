from __future__ import annotations

from typing import Any

import pytest

from auctions.rules import (
    MINOR_UNITS,
    InvalidMoneyError,
    InvalidStateError,
    Money,
    UnknownCurrencyError,
    minor_units,
)


@pytest.mark.parametrize(
    ("currency", "expected"),
    [("JPY", 0), ("EUR", 2), ("USD", 2), ("GBP", 2), ("CNY", 2), ("KWD", 3)],
)
def test_minor_units_are_the_iso_exponents(currency: str, expected: int) -> None:
    assert minor_units(currency) == expected


@pytest.mark.parametrize("currency", ["XYZ", "eur", "", None])
def test_minor_units_of_an_unknown_currency_raise(currency: Any) -> None:
    with pytest.raises(UnknownCurrencyError):
        minor_units(currency)


def test_minor_units_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        MINOR_UNITS["XYZ"] = 2  # type: ignore[index]


def test_money_holds_minor_units() -> None:
    money = Money(125_000, "EUR")

    assert (money.amount, money.currency) == (125_000, "EUR")
    assert money == Money(125_000, "EUR")
    assert money != Money(125_000, "USD")


@pytest.mark.parametrize("amount", [12.5, 100.0, True, "100", None])
def test_money_refuses_anything_but_an_int(amount: Any) -> None:
    with pytest.raises(InvalidMoneyError):
        Money(amount, "EUR")


def test_money_refuses_an_unknown_currency() -> None:
    with pytest.raises(UnknownCurrencyError):
        Money(100, "EURO")


def test_money_round_trips_through_a_dict() -> None:
    money = Money(1_250, "JPY")

    assert money.to_dict() == {"amount": 1_250, "currency": "JPY"}
    assert Money.from_dict(money.to_dict()) == money


@pytest.mark.parametrize(
    "data",
    [{"amount": "1", "currency": "EUR"}, {"amount": 1}, {"amount": True, "currency": "EUR"}],
)
def test_money_from_a_malformed_dict_raises(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidStateError):
        Money.from_dict(data)
