"""Questions the pages ask of the events the sink kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection

DAYS = 30
# per listing: what counts, in which event, and which of them
MEASURES = {
    "views": "name = 'buyer_viewed_machine'",
    "watches": "name = 'buyer_watched_machine'",
    "enquiries": "name = 'buyer_sent_enquiry' AND payload->>'first_message' = 'true'",
    "bids": "name = 'buyer_placed_bid' AND payload->>'accepted' = 'true'",
}


@dataclass
class Activity:
    """A listing's last 7 and 30 days (whole days in UTC, today included): counts per measure,
    and its views day by day (oldest first, today last)."""

    last_7: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*MEASURES, "impressions"], 0))
    last_30: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*MEASURES, "impressions"], 0))
    daily_views: list[int] = field(default_factory=lambda: [0] * DAYS)


def listing_activity(machine_ids: Sequence[int], *, seller_id: int, now: datetime) -> dict[int, Activity]:
    """What buyers did with the seller's listings: views, search impressions, watches, new
    enquiries and accepted bids over the last 7 and 30 days, the seller's own doings left out."""
    activity = {machine_id: Activity() for machine_id in machine_ids}
    if not machine_ids:
        return activity
    # whole days in UTC: the last 7 are today and the 6 before it, as the chart draws them
    today = now.astimezone(UTC).date()
    first_day, first_of_7 = today - timedelta(days=DAYS - 1), today - timedelta(days=6)
    since_30 = datetime.combine(first_day, time.min, tzinfo=UTC)
    keys = [str(machine_id) for machine_id in machine_ids]
    cases = " ".join(f"WHEN {condition} THEN '{measure}'" for measure, condition in MEASURES.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT payload->>'machine_id', CASE {cases} END AS measure,
                   (event_time AT TIME ZONE 'UTC')::date AS day, count(*)
            FROM events_event
            WHERE event_time >= %(since)s AND event_time <= %(now)s
              AND payload ? 'machine_id' AND payload->>'machine_id' = ANY(%(keys)s)
              AND name IN ('buyer_viewed_machine', 'buyer_watched_machine', 'buyer_sent_enquiry', 'buyer_placed_bid')
              AND actor_user_id IS DISTINCT FROM %(seller)s
            GROUP BY 1, 2, 3
            """,  # noqa: S608 (the CASE is built from constants)
            {"since": since_30, "now": now, "keys": keys, "seller": seller_id},
        )
        rows = cursor.fetchall()
        cursor.execute(
            """
            SELECT shown.id, (event_time AT TIME ZONE 'UTC')::date, count(*)
            FROM events_event, jsonb_array_elements_text(payload->'result_ids') AS shown(id)
            WHERE name = 'buyer_searched_machines' AND event_time >= %(since)s AND event_time <= %(now)s
              AND shown.id = ANY(%(keys)s)
              AND actor_user_id IS DISTINCT FROM %(seller)s
            GROUP BY 1, 2
            """,
            {"since": since_30, "now": now, "keys": keys, "seller": seller_id},
        )
        rows += [(machine, "impressions", day, count) for machine, day, count in cursor.fetchall()]
    for machine, measure, day, count in rows:
        if measure is None:
            continue
        entry = activity[int(machine)]
        entry.last_30[measure] += count
        if day >= first_of_7:
            entry.last_7[measure] += count
        if measure == "views":
            index = (day - first_day).days
            if 0 <= index < DAYS:
                entry.daily_views[index] += count
    return activity


# ------------------------------------------------------------------ staff analytics


@dataclass(frozen=True)
class SearchDay:
    day: date
    searches: int
    zero_results: int
    median_latency_ms: float | None


@dataclass(frozen=True)
class QueryCount:
    query: str
    language: str
    searches: int
    results: int  # the latest search's count
    filters: dict[str, str]


FUNNEL = ("searched", "viewed", "watched", "bid", "won")


def searches_by_day(*, now: datetime, days: int = DAYS) -> list[SearchDay]:
    """Every day of the period (UTC), oldest first: searches, those that found nothing, and
    the median server time of a search."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (event_time AT TIME ZONE 'UTC')::date, count(*),
                   count(*) FILTER (WHERE (payload->>'result_count')::bigint = 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY (payload->>'latency_ms')::float)
            FROM events_event
            WHERE name = 'buyer_searched_machines' AND event_time >= %(since)s AND event_time <= %(now)s
            GROUP BY 1
            """,
            {"since": datetime.combine(first, time.min, tzinfo=UTC), "now": now},
        )
        found = {day: (searches, zero, median) for day, searches, zero, median in cursor.fetchall()}
    return [
        SearchDay(day, *found.get(day, (0, 0, None)))
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]


def top_queries(
    *, now: datetime, days: int = DAYS, zero_results: bool = False, limit: int = 20
) -> list[QueryCount]:
    """The most searched texts of the period (lower-cased, trimmed), or those that found
    nothing, with the filters and language of their latest search (to open it again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT lower(btrim(payload->>'query')) AS query, count(*),
                   (array_agg(payload->>'language' ORDER BY event_time DESC))[1],
                   (array_agg((payload->>'result_count')::bigint ORDER BY event_time DESC))[1],
                   (array_agg(payload->'filters' ORDER BY event_time DESC))[1]
            FROM events_event
            WHERE name = 'buyer_searched_machines' AND event_time >= %(since)s AND event_time <= %(now)s
              AND btrim(payload->>'query') <> ''
              {"AND (payload->>'result_count')::bigint = 0" if zero_results else ""}
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %(limit)s
            """,  # noqa: S608 (a constant condition)
            {"since": now - timedelta(days=days), "now": now, "limit": limit},
        )
        rows = cursor.fetchall()
    return [
        QueryCount(
            query,
            language,
            searches,
            results,
            json.loads(filters) if isinstance(filters, str) else filters or {},
        )
        for query, searches, language, results, filters in rows
    ]


def funnel(*, now: datetime, days: int = DAYS) -> dict[str, int]:
    """How many people searched over the period's whole days (UTC, today included), and of
    those how many also viewed a listing, of those watched one, bid, and won an auction. A
    person is a signed-in user, or a visitor (first-party cookie) never seen signed in: what a
    visitor did before signing in counts as the user's. Read from the rollup the sink keeps
    per day and person (`events.sql.roll_up`): 10 million events are not scanned per page."""
    today = now.astimezone(UTC).date()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE reached & 1 = 1), count(*) FILTER (WHERE reached & 3 = 3),
                   count(*) FILTER (WHERE reached & 7 = 7), count(*) FILTER (WHERE reached & 15 = 15),
                   count(*) FILTER (WHERE reached & 31 = 31)
            FROM (SELECT bit_or(stages) AS reached FROM events_funnel_day
                  WHERE day BETWEEN %(first)s AND %(today)s GROUP BY person) AS people
            """,
            {"first": today - timedelta(days=days - 1), "today": today},
        )
        row = cursor.fetchone()
    return dict(zip(FUNNEL, row or (0,) * len(FUNNEL), strict=True))


def any_kept(name: str) -> bool:
    """Whether the sink has kept any event of that name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM events_event WHERE name = %s)", [name])
        (found,) = cursor.fetchone() or (False,)
    return bool(found)
