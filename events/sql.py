"""The events' table in PostgreSQL: its monthly partitions and one view per event.

`events_event` is partitioned by month of the event's time; the sink creates the partitions a
batch needs before writing it. Schema `events` holds a view per contract (`events.buyer_placed_bid`),
the envelope's columns and each field as a typed column (money as `<field>_amount`,
`<field>_currency`, `<field>_minor`), for ad-hoc questions (`manage.py events_query`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

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


# ------------------------------------------------------------------ the funnel's rollup

STAGES = {
    "buyer_searched_machines": 1,
    "buyer_viewed_machine": 2,
    "buyer_watched_machine": 4,
    "buyer_placed_bid": 8,
    "auction_closed": 16,
}
_STAGE_CASE = " ".join(f"WHEN '{name}' THEN {bit}" for name, bit in STAGES.items())
_STAGE_NAMES = ", ".join(f"'{name}'" for name in STAGES)

# `{source}` is a relation of events: the sink's batch, or the whole table for a rebuild
_ALIASES = """
WITH found AS (
    SELECT DISTINCT ON (visitor_id) visitor_id, actor_user_id FROM {source}
    WHERE visitor_id IS NOT NULL AND actor_user_id IS NOT NULL ORDER BY visitor_id, event_time
),
added AS (
    INSERT INTO events_visitor_user (visitor_id, user_id) SELECT * FROM found
    ON CONFLICT (visitor_id) DO NOTHING RETURNING visitor_id, user_id
),
moved AS (  -- what the visitor did before signing in becomes the user's
    DELETE FROM events_funnel_day f USING added a WHERE f.person = events_visitor_person(a.visitor_id)
    RETURNING f.day, a.user_id, f.stages
)
INSERT INTO events_funnel_day (day, person, stages)
SELECT day, user_id, bit_or(stages) FROM moved GROUP BY 1, 2
ON CONFLICT (day, person) DO UPDATE SET stages = events_funnel_day.stages | excluded.stages
"""
_STAGES = f"""
INSERT INTO events_funnel_day (day, person, stages)
SELECT (e.event_time AT TIME ZONE 'UTC')::date,
       CASE WHEN e.name = 'auction_closed' THEN (e.payload->>'winner_id')::bigint
            ELSE coalesce(e.actor_user_id, v.user_id, events_visitor_person(e.visitor_id)) END,
       bit_or(CASE e.name {_STAGE_CASE} END)::smallint
FROM {{source}} e LEFT JOIN events_visitor_user v ON e.actor_user_id IS NULL AND v.visitor_id = e.visitor_id
WHERE e.name IN ({_STAGE_NAMES})
  AND (e.name <> 'buyer_placed_bid' OR e.payload->>'accepted' = 'true')
  AND (e.name = 'auction_closed' AND e.payload->>'winner_id' IS NOT NULL
       OR e.name <> 'auction_closed' AND (e.actor_user_id IS NOT NULL OR e.visitor_id IS NOT NULL))
GROUP BY 1, 2
ON CONFLICT (day, person) DO UPDATE SET stages = events_funnel_day.stages | excluded.stages
"""  # noqa: S608 (constants; `source` is one of our tables)


def roll_up(cursor: Any, source: str) -> None:
    """Bring the funnel's rollup up to date with the events of `source` (a table name of
    ours). Setting bits is idempotent: a batch rolled up twice changes nothing."""
    cursor.execute(_ALIASES.format(source=source))
    cursor.execute(_STAGES.format(source=source))


def rebuild_funnel() -> None:
    """The rollup again from every kept event (after a bulk load that bypassed the sink)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE events_funnel_day, events_visitor_user")
        roll_up(cursor, "events_event")
