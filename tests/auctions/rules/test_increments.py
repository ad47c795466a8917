from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auctions.rules import (
    CENT_INCREMENTS,
    THOUSANDTH_INCREMENTS,
    ZERO_DECIMAL_INCREMENTS,
    IncrementTable,
    InvalidIncrementTableError,
    InvalidStateError,
    UnknownCurrencyError,
    default_increments,
)
from tests.auctions.rules.builders import SIMPLE_INCREMENTS


@pytest.mark.parametrize(
    ("amount", "increment"),
    [(0, 10), (999, 10), (1000, 50), (4999, 50), (5000, 100), (10**12, 100)],
)
def test_the_band_with_the_greatest_lower_bound_not_above_the_amount_applies(
    amount: int, increment: int
) -> None:
    assert SIMPLE_INCREMENTS.increment_for(amount) == increment


def test_next_amount_adds_the_increment_of_the_current_band() -> None:
    assert SIMPLE_INCREMENTS.next_amount(990) == 1000
    assert SIMPLE_INCREMENTS.next_amount(995) == 1005
    assert SIMPLE_INCREMENTS.next_amount(1000) == 1050


def test_a_negative_amount_has_no_increment() -> None:
    with pytest.raises(InvalidIncrementTableError):
        SIMPLE_INCREMENTS.increment_for(-1)


@pytest.mark.parametrize(
    "bands",
    [
        (),
        ((10, 5),),
        ((0, 0),),
        ((0, -5),),
        ((0, 10), (0, 20)),
        ((0, 10), (500, 20), (400, 30)),
        ((0, 50), (1000, 10)),
        ((0, 10.0),),
        ((0, True),),
        ((0, 10, 3),),
        ([0, 10],),
    ],
)
def test_invalid_tables_are_refused(bands: Any) -> None:
    with pytest.raises(InvalidIncrementTableError):
        IncrementTable(bands)


def test_a_table_round_trips_through_a_list() -> None:
    assert SIMPLE_INCREMENTS.to_list() == [[0, 10], [1000, 50], [5000, 100]]
    assert IncrementTable.from_list(SIMPLE_INCREMENTS.to_list()) == SIMPLE_INCREMENTS


@pytest.mark.parametrize("value", [None, "0,10", [0, 10], [[0, 10, 1]]])
def test_a_malformed_list_is_refused(value: Any) -> None:
    with pytest.raises((InvalidStateError, InvalidIncrementTableError)):
        IncrementTable.from_list(value)


@pytest.mark.parametrize(
    ("currency", "table"),
    [
        ("EUR", CENT_INCREMENTS),
        ("USD", CENT_INCREMENTS),
        ("JPY", ZERO_DECIMAL_INCREMENTS),
        ("KWD", THOUSANDTH_INCREMENTS),
    ],
)
def test_default_tables_follow_the_number_of_decimals(currency: str, table: IncrementTable) -> None:
    assert default_increments(currency) is table


def test_default_tables_scale_with_the_price() -> None:
    assert CENT_INCREMENTS.increment_for(850_00) == 25_00  # EUR 850.00 -> EUR 25.00
    assert CENT_INCREMENTS.increment_for(42_500_00) == 500_00  # EUR 42,500 -> EUR 500
    assert ZERO_DECIMAL_INCREMENTS.increment_for(3_000_000) == 50_000  # JPY 3,000,000 -> JPY 50,000
    assert THOUSANDTH_INCREMENTS.increment_for(42_500_000) == 500_000  # KWD 42,500 -> KWD 500


def test_default_table_of_an_unknown_currency_raises() -> None:
    with pytest.raises(UnknownCurrencyError):
        default_increments("XYZ")


@st.composite
def tables(draw: st.DrawFn) -> IncrementTable:
    gaps = draw(st.lists(st.integers(1, 5_000), max_size=6))
    steps = draw(st.lists(st.integers(0, 500), min_size=len(gaps), max_size=len(gaps)))
    bounds, increments = [0], [draw(st.integers(1, 100))]
    for gap, step in zip(gaps, steps, strict=True):
        bounds.append(bounds[-1] + gap)
        increments.append(increments[-1] + step)
    return IncrementTable(tuple(zip(bounds, increments, strict=True)))


@given(table=tables(), low=st.integers(0, 40_000), high=st.integers(0, 40_000))
def test_next_amount_strictly_increases_with_the_amount(table: IncrementTable, low: int, high: int) -> None:
    if low < high:
        assert table.next_amount(low) < table.next_amount(high)
    assert table.next_amount(low) > low
