"""Typed reading of the plain dicts `to_dict` produces (as they come back from a JSON column).
Anything unexpected raises `InvalidStateError` naming the key, instead of a bare KeyError or a
wrong type travelling further into the engine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from auctions.rules._errors import InvalidStateError
from auctions.rules._time import as_utc

Data = Mapping[str, object]


def as_data(value: object, what: str) -> Data:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidStateError(f"{what} must be a mapping with string keys, got {type(value).__name__}")
    return value


def _get(data: Data, key: str) -> object:
    try:
        return data[key]
    except KeyError:
        raise InvalidStateError(f"missing key {key!r}") from None


def read_int(data: Data, key: str) -> int:
    value = _get(data, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidStateError(f"{key!r} must be an int, got {value!r}")
    return value


def read_bool(data: Data, key: str) -> bool:
    value = _get(data, key)
    if not isinstance(value, bool):
        raise InvalidStateError(f"{key!r} must be a bool, got {value!r}")
    return value


def read_str(data: Data, key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str):
        raise InvalidStateError(f"{key!r} must be a string, got {value!r}")
    return value


def read_optional_str(data: Data, key: str) -> str | None:
    return None if _get(data, key) is None else read_str(data, key)


def read_data(data: Data, key: str) -> Data:
    return as_data(_get(data, key), repr(key))


def read_optional_data(data: Data, key: str) -> Data | None:
    return None if _get(data, key) is None else read_data(data, key)


def read_list(data: Data, key: str) -> list[object]:
    value = _get(data, key)
    if not isinstance(value, list | tuple):
        raise InvalidStateError(f"{key!r} must be a list, got {type(value).__name__}")
    return list(value)


def read_datetime(data: Data, key: str) -> datetime:
    text = read_str(data, key)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidStateError(f"{key!r} must be an ISO 8601 datetime, got {text!r}") from None
    return as_utc(parsed, key)
