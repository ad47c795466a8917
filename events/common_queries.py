"""The whole queries buyers search most, per language, for the search box to complete: read
from the kept search events by the sink every few minutes (`refresh`) and kept in Redis, so a
keystroke reads one small value (`read`), never the event table.

A text is offered only when several different people searched it (`MIN_PEOPLE`): what one
person typed (a name, a phone number) is theirs and is never shown to anyone else. A search
that found nothing, or found something only by dropping words, is not offered either. Each is
offered with what its latest search found, which is how many listings it would find now, give
or take the refresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from core.redis import get_redis

KEY = "{events}:common_queries"
DAYS = 30
MIN_PEOPLE = 3
PER_LANGUAGE = 500
MAX_LENGTH = 60
REFRESH_SECONDS = 600


@dataclass(frozen=True)
class CommonQuery:
    text: str  # lower-cased and trimmed, as searched
    people: int  # different people (signed-in users, or visitors) who searched it
    found: int  # listings its latest search found


def compute(*, now: datetime, days: int = DAYS, min_people: int = MIN_PEOPLE) -> dict[str, list[CommonQuery]]:
    """The period's common queries per language, most people first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT language, query, people, found FROM (
                SELECT payload->>'language' AS language, lower(btrim(payload->>'query')) AS query,
                       count(DISTINCT coalesce('u' || actor_user_id::text, 'v' || visitor_id)) AS people,
                       (array_agg((payload->>'result_count')::bigint ORDER BY event_time DESC))[1] AS found,
                       row_number() OVER (
                           PARTITION BY payload->>'language'
                           ORDER BY count(DISTINCT coalesce('u' || actor_user_id::text, 'v' || visitor_id)) DESC,
                                    lower(btrim(payload->>'query'))
                       ) AS rank
                FROM events_event
                WHERE name = 'buyer_searched_machines' AND event_time > %(since)s AND event_time <= %(now)s
                  AND char_length(btrim(payload->>'query')) BETWEEN 2 AND %(longest)s
                  AND (payload->>'relaxed')::boolean IS NOT TRUE
                  AND (actor_user_id IS NOT NULL OR visitor_id IS NOT NULL)
                GROUP BY 1, 2
                HAVING count(DISTINCT coalesce('u' || actor_user_id::text, 'v' || visitor_id)) >= %(people)s
            ) counted
            WHERE found > 0 AND rank <= %(per_language)s
            ORDER BY language, people DESC, query
            """,
            {
                "since": now - timedelta(days=days),
                "now": now,
                "longest": MAX_LENGTH,
                "people": min_people,
                "per_language": PER_LANGUAGE,
            },
        )
        rows = cursor.fetchall()
    queries: dict[str, list[CommonQuery]] = {}
    for language, text, people, found in rows:
        queries.setdefault(language, []).append(CommonQuery(text, people, found))
    return queries


def refresh(*, now: datetime) -> int:
    """Compute and keep the common queries (replacing the last ones); returns how many."""
    queries = compute(now=now)
    mapping = {
        language: json.dumps([[q.text, q.people, q.found] for q in found])
        for language, found in queries.items()
    }
    pipe = get_redis().pipeline(transaction=True)
    pipe.delete(KEY)
    if mapping:
        pipe.hset(KEY, mapping=mapping)  # type: ignore[arg-type]
    pipe.execute()
    return sum(len(found) for found in queries.values())


def read(language: str) -> list[CommonQuery]:
    """The common queries last kept for `language` (none before the first refresh)."""
    raw = get_redis().hget(KEY, language)
    if not raw:
        return []
    return [CommonQuery(text, people, found) for text, people, found in json.loads(raw)]
