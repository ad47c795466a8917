"""Spec values are stored in canonical SI units and shown in the viewer's unit system."""

from __future__ import annotations

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
