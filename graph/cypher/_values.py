"""Python values that may travel as Neo4j parameters, frozen so queries stay immutable.

A value is copied into tuples and `FrozenMap`s when it enters the builder, so a list the
caller mutates afterwards cannot change a query; `thaw` turns it back into fresh lists and
dicts for every render.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from graph.cypher._errors import UnsupportedValueError

__all__ = ["FrozenMap", "FrozenValue", "Value", "freeze", "thaw"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

Scalar: TypeAlias = (
    bool
    | int
    | float
    | str
    | bytes
    | datetime.date
    | datetime.time
    | datetime.datetime
    | datetime.timedelta
    | None
)
Value: TypeAlias = Scalar | Sequence["Value"] | Mapping[str, "Value"]
FrozenValue: TypeAlias = "Scalar | tuple[FrozenValue, ...] | FrozenMap"


@dataclass(frozen=True)
class FrozenMap:
    """An immutable, ordered map with string keys (the frozen form of a dict value)."""

    items: tuple[tuple[str, FrozenValue], ...]


_IMMUTABLE = (bool, bytes, FrozenMap, datetime.date, datetime.time, datetime.timedelta)


def freeze(value: object) -> FrozenValue:
    """Copy `value` into its immutable form, or raise UnsupportedValueError."""
    if value is None or isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a plain str, even for str-based enums
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise UnsupportedValueError(f"integer {value} does not fit Neo4j's 64-bit integers")
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list | tuple):
        if _plain_scalars(value):  # long lists of ids or codes: one pass in C instead of a call per item
            return tuple(value)
        return tuple(freeze(item) for item in value)
    if isinstance(value, Mapping):
        if set(map(type, value)) <= {str} and _plain_scalars(
            value.values()
        ):  # large maps of counts, in one pass
            return FrozenMap(tuple(value.items()))
        items: list[tuple[str, FrozenValue]] = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnsupportedValueError(f"map keys must be strings, got {key!r}")
            items.append((str.__str__(key), freeze(item)))
        return FrozenMap(tuple(items))
    raise UnsupportedValueError(
        f"{type(value).__name__} cannot be a Cypher parameter; use None, bool, int, float, str, "
        "bytes, date/time/datetime/timedelta, or lists and str-keyed maps of those"
    )


def _plain_scalars(values: Any) -> bool:
    """Whether `values` are all exact str, all exact float, or all exact int within Neo4j's range."""
    listed = list(values)
    kinds = set(map(type, listed))
    if kinds <= {str} or kinds <= {float}:
        return True
    return kinds <= {int} and min(listed, default=0) >= _INT64_MIN and max(listed, default=0) <= _INT64_MAX


def thaw(value: FrozenValue) -> Any:
    """A fresh, mutable copy of a frozen value, in the shapes the neo4j driver expects."""
    if isinstance(value, tuple):
        if set(map(type, value)).isdisjoint((tuple, FrozenMap)):
            return list(value)
        return [thaw(item) for item in value]
    if isinstance(value, FrozenMap):
        if set(map(type, (item for _, item in value.items))).isdisjoint((tuple, FrozenMap)):
            return dict(value.items)
        return {key: thaw(item) for key, item in value.items}
    return value
