"""The events' table in PostgreSQL: its monthly partitions and one view per event.

`events_event` is partitioned by month of the event's time; the sink creates the partitions a
batch needs before writing it. Schema `events` holds a view per contract (`events.buyer_placed_bid`),
the envelope's columns and each field as a typed column (money as `<field>_amount`,
`<field>_currency`, `<field>_minor`), for ad-hoc questions (`manage.py events_query`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from django.db import connection, transaction

from events.contract import Contract, Field, load_contracts

ENVELOPE = ("event_id", "event_time", "version", "actor_user_id", "visitor_id", "session_id")
SQL_TYPES = {
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "uuid": "uuid",
    "datetime": "timestamptz",
}

_partitions: set[tuple[int, int]] = set()  # months this process knows exist


def month_of(moment: datetime) -> tuple[int, int]:
    moment = moment.astimezone(UTC)
    return moment.year, moment.month


def ensure_partitions(months: Iterable[tuple[int, int]]) -> None:
    missing = sorted(set(months) - _partitions)
    if not missing:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('events_event partitions'))"
        )  # one creator at a time
        for year, month in missing:
            following = (year + 1, 1) if month == 12 else (year, month + 1)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS events_event_y{year}m{month:02d} PARTITION OF events_event "
                f"FOR VALUES FROM ('{year}-{month:02d}-01 00:00+00') TO ('{following[0]}-{following[1]:02d}-01 00:00+00')"
            )
    _partitions.update(missing)


def forget_partitions() -> None:
    """For tests that drop partitions behind the process's back."""
    _partitions.clear()


def _columns(item: Field) -> list[str]:
    value = f"payload->'{item.name}'"
    text = f"payload->>'{item.name}'"
    if item.kind == "money":
        return [
            f"({value}->>'amount')::numeric AS {item.name}_amount",
            f"{value}->>'currency' AS {item.name}_currency",
            f"({value}->>'minor')::bigint AS {item.name}_minor",
        ]
    if item.kind in ("integer_list", "string_map"):
        return [f"{value} AS {item.name}"]
    if item.kind in SQL_TYPES:
        return [f"({text})::{SQL_TYPES[item.kind]} AS {item.name}"]
    return [f"{text} AS {item.name}"]


def view_sql(contract: Contract) -> str:
    # names come from the contracts, which `events.check` holds to [a-z_]
    columns = [*ENVELOPE, *(column for item in contract.fields for column in _columns(item))]
    return (
        f"CREATE VIEW events.{contract.name} AS SELECT {', '.join(columns)} "  # noqa: S608
        f"FROM events_event WHERE name = '{contract.name}'"
    )


def create_views(contracts: Mapping[str, Contract] | None = None) -> int:
    contracts = contracts if contracts is not None else load_contracts()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('events views'))")
        cursor.execute("CREATE SCHEMA IF NOT EXISTS events")
        for contract in contracts.values():
            cursor.execute(f"DROP VIEW IF EXISTS events.{contract.name}")
            cursor.execute(view_sql(contract))
    return len(contracts)


def prepare_events() -> str:
    now = datetime.now(UTC)
    following = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    ensure_partitions([month_of(now), following])
    return f"{create_views()} event views, partitions to {following[0]}-{following[1]:02d}"
