"""Spec values are stored in canonical SI units and shown in the viewer's unit system."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DisplayUnit:
    symbol: str
    factor: float  # display value = canonical value * factor
    decimals: int


# canonical unit -> (metric display, imperial display)
DISPLAY: dict[str, tuple[DisplayUnit, DisplayUnit]] = {
    "kg": (DisplayUnit("t", 0.001, 2), DisplayUnit("lb", 2.2046226218, 0)),
    "m3": (DisplayUnit("m³", 1.0, 2), DisplayUnit("yd³", 1.3079506193, 2)),
    "kW": (DisplayUnit("kW", 1.0, 0), DisplayUnit("hp", 1.3410220896, 0)),
    "m": (DisplayUnit("m", 1.0, 2), DisplayUnit("ft", 3.280839895, 1)),
    "mm": (DisplayUnit("mm", 1.0, 0), DisplayUnit("in", 0.0393700787, 1)),
    "km/h": (DisplayUnit("km/h", 1.0, 1), DisplayUnit("mph", 0.6213711922, 1)),
    "L": (DisplayUnit("L", 1.0, 0), DisplayUnit("gal", 0.2641720524, 0)),
    "kN": (DisplayUnit("kN", 1.0, 0), DisplayUnit("lbf", 224.8089431, 0)),
    "h": (DisplayUnit("h", 1.0, 0), DisplayUnit("h", 1.0, 0)),
}


def display_unit(canonical: str, unit_system: str) -> DisplayUnit:
    pair = DISPLAY.get(canonical)
    if pair is None:
        return DisplayUnit(canonical, 1.0, 2)
    return pair[1] if unit_system == "imperial" else pair[0]


def to_display(value: float, canonical: str, unit_system: str) -> tuple[float, str]:
    unit = display_unit(canonical, unit_system)
    return round(value * unit.factor, unit.decimals), unit.symbol


def from_display(value: float, canonical: str, unit_system: str) -> float:
    """A value typed in the viewer's unit system, back to the canonical unit."""
    unit = display_unit(canonical, unit_system)
    return value / unit.factor


def format_value(value: float, canonical: str, unit_system: str) -> str:
    shown, symbol = to_display(value, canonical, unit_system)
    decimals = display_unit(canonical, unit_system).decimals
    return f"{shown:,.{decimals}f} {symbol}"


def convert_bound(value: float, canonical: str, source: str, target: str, *, bound: str) -> float:
    """A range bound typed in `source`'s display unit, in `target`'s.

    Rounded outwards (a minimum down, a maximum up) at two decimals more than the spec sheet
    shows (more if the source's spec-sheet step needs them), so the range keeps the machines
    the typed one found; but a value within one such step (of either direction's, the
    coarser) of a spec-sheet number becomes that number, so switching back and forth gives
    back what was typed (20 t -> 44,092.46 lb -> 20 t)."""
    if source == target:
        return value
    unit, given = display_unit(canonical, target), display_unit(canonical, source)
    exact = value / given.factor * unit.factor
    digits = _digits(given, unit)
    step = max(10.0**-digits, 10.0 ** -_digits(unit, given) / given.factor * unit.factor)
    sheet = round(exact, unit.decimals)
    if abs(sheet - exact) <= step:
        return sheet
    scale = 10**digits
    return (math.floor(exact * scale) if bound == "min" else math.ceil(exact * scale)) / scale


def _digits(source: DisplayUnit, target: DisplayUnit) -> int:
    """Decimals of `target` that tell apart the numbers a spec sheet in `source` shows."""
    source_step = 10.0**-source.decimals / source.factor * target.factor
    return max(target.decimals + 2, math.ceil(-math.log10(source_step)) + 1)


def typed(value: float) -> str:
    """A number as a person types it: no exponent, no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")
