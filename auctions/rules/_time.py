"""Datetimes the rules accept: time-zone aware, stored in UTC so equal instants serialise
identically whichever zone the caller happened to use."""

from __future__ import annotations

from datetime import UTC, datetime

from auctions.rules._errors import NaiveDatetimeError


def as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be time-zone aware, got {value!r}")
    return value.astimezone(UTC)
