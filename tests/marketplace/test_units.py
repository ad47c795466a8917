"""Converting a range bound between unit systems (marketplace/units.py): the search page's
unit switch converts a buyer's spec ranges with it instead of reinterpreting them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marketplace.units import DISPLAY, convert_bound, display_unit

SYSTEMS = ("metric", "imperial")


@st.composite
def typed_bounds(draw: st.DrawFn) -> tuple[str, str, str, str, float]:
    """A bound as a buyer types it: a number with the spec sheet's decimals in one system."""
    canonical = draw(st.sampled_from(sorted(DISPLAY)))
    source = draw(st.sampled_from(SYSTEMS))
    target = "imperial" if source == "metric" else "metric"
    decimals = display_unit(canonical, source).decimals
    value = round(draw(st.integers(min_value=0, max_value=10**8)) / 10**decimals, decimals)
    return canonical, source, target, draw(st.sampled_from(["min", "max"])), value


@given(typed_bounds())
def test_switching_there_and_back_gives_back_what_was_typed(bound: tuple[str, str, str, str, float]) -> None:
    canonical, source, target, side, value = bound

    there = convert_bound(value, canonical, source, target, bound=side)

    assert convert_bound(there, canonical, target, source, bound=side) == value


@given(typed_bounds())
def test_the_converted_range_loses_at_most_a_sliver_of_a_spec_sheet_step(
    bound: tuple[str, str, str, str, float],
) -> None:
    canonical, source, target, side, value = bound
    shown, typed_in = display_unit(canonical, target), display_unit(canonical, source)
    exact = value / typed_in.factor * shown.factor

    converted = convert_bound(value, canonical, source, target, bound=side)

    lost = converted - exact if side == "min" else exact - converted  # > 0: the range got narrower
    assert lost <= 0.05 * 10.0**-shown.decimals


def test_a_bound_in_the_same_system_is_unchanged() -> None:
    assert convert_bound(20.125, "kg", "metric", "metric", bound="max") == 20.125


def test_twenty_tonnes_in_pounds_keeps_a_machine_of_exactly_twenty_tonnes() -> None:
    pounds = convert_bound(20, "kg", "metric", "imperial", bound="max")

    assert pounds == 44092.46  # 20,000 kg is 44,092.45 lb and a little: rounded up, not down
    assert convert_bound(pounds, "kg", "imperial", "metric", bound="max") == 20
