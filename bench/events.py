"""Events benchmark (issue 22), against the real PostgreSQL and Redis of `make run`:

(a) emit: what one request event costs the request: a producer's call (check, envelope, one
    pipelined XADD + HINCRBY), p50/p95/p99 in ms over `--calls` calls, beside a bare Redis
    PING from the same process (the floor of any round trip);
(b) sink: a `manage.py events_sink` process drains what this process emits at `--rate` events
    per second for `--seconds`; then a backlog of `--backlog` events written with the sink
    stopped is drained by a fresh sink. Prints the sink's events per second and the lag of
    every event (kept minus emitted: `sunk_at - event_time`), p50/p95/p99;
(c) funnel: `--events` generated events over 30 days (sessions of 8: searches, views, watches,
    bids, closes, by a million possible people drawn with a skew) in a scratch database
    `bench_events`, the funnel's rollup rebuilt from them, then the staff page's 30-day funnel
    (events.selectors.funnel, which reads the rollup), median of 5 runs.

    .venv/bin/python -m bench.events [emit] [sink] [funnel] [--events 10000000]

The stream is a scratch one (`bench-events`), so the dev site's events are not touched; (b)'s
events go into `make run`'s database and are deleted afterwards."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from importlib import import_module
from pathlib import Path

os.environ["EVENTS_STREAM"] = "{bench-events}"

from bench.common import machine_line, median, percentile, setup_django, summary

ROOT = Path(__file__).resolve().parent.parent


def emit(calls: int) -> None:
    from core.redis import get_redis
    from events import producers
    from events.emit import Actor

    redis = get_redis()
    actor = Actor(user_id=None, visitor_id="bench-visitor-000000", session_id="bench-session-00000")
    for _ in range(500):  # warm the connection and the code
        producers.buyer_viewed_machine(machine_id=1, actor=actor)
        redis.ping()
    took, pings = [], []
    for index in range(calls):
        started = time.perf_counter_ns()
        producers.buyer_viewed_machine(
            machine_id=1 + index % 5000, position=3, search_event_id=None, actor=actor
        )
        took.append((time.perf_counter_ns() - started) / 1e6)
        started = time.perf_counter_ns()
        redis.ping()
        pings.append((time.perf_counter_ns() - started) / 1e6)
    redis.delete("{bench-events}", "{bench-events}:counters")
    print(f"(a) a request event, ms    {_fine(took)}")
    print(f"    Redis PING, ms          {_fine(pings)}")
    print(f"    ratio of medians        {median(took) / median(pings):.2f}x a bare round trip")


def _fine(values: list[float]) -> str:
    return (
        "  ".join(f"p{int(q * 100)} {percentile(values, q):.3f}" for q in (0.5, 0.95, 0.99))
        + f"  (n={len(values)})"
    )


def _sink_process() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "events_sink", "--consumer", f"bench-{uuid.uuid4().hex[:6]}"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _kept(run: str) -> tuple[int, list[float]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM sunk_at - event_time) * 1000 FROM events_event "
            "WHERE name = 'buyer_viewed_machine' AND session_id = %s",
            [run],
        )
        lags = [float(row[0]) for row in cursor.fetchall()]
    return len(lags), lags


def _wait_kept(run: str, expected: int, timeout: float = 600) -> float:
    started = time.monotonic()
    while _kept(run)[0] < expected:
        if time.monotonic() - started > timeout:
            raise SystemExit(f"the sink kept {_kept(run)[0]} of {expected} events in {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def sink(rate: int, seconds: int, backlog: int) -> None:
    from django.db import connection

    from core.redis import get_redis
    from events import producers
    from events.emit import Actor
    from events.sink import ensure_group

    redis = get_redis()
    redis.delete("{bench-events}", "{bench-events}:counters")
    ensure_group()
    run = f"bench-{uuid.uuid4().hex[:12]}"
    actor = Actor(user_id=None, visitor_id="bench-visitor-000000", session_id=run)
    process = _sink_process()
    try:
        time.sleep(2)  # the sink starts (Django, its group, its views)
        started = time.monotonic()
        sent = 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate)
            while sent < due:
                producers.buyer_viewed_machine(machine_id=1 + sent % 5000, actor=actor)
                sent += 1
            time.sleep(0.002)
        achieved = sent / (time.monotonic() - started)
        _wait_kept(run, sent)
        _, lags = _kept(run)
        print(f"(b) steady {achieved:,.0f} events/s for {seconds} s: lag, ms   {summary(lags)}")
    finally:
        process.terminate()
        process.wait(timeout=60)
    run_backlog = f"bench-{uuid.uuid4().hex[:12]}"
    actor = Actor(user_id=None, visitor_id="bench-visitor-000000", session_id=run_backlog)
    for index in range(backlog):
        producers.buyer_viewed_machine(machine_id=1 + index % 5000, actor=actor)
    process = _sink_process()
    try:
        took = _wait_kept(run_backlog, backlog)
    finally:
        process.terminate()
        process.wait(timeout=60)
    print(
        f"    backlog of {backlog:,} drained in {took:.1f} s: {backlog / took:,.0f} events/s (incl. the sink's start)"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE session_id IN (%s, %s)", [run, run_backlog])
        cursor.execute(
            "DELETE FROM events_funnel_day WHERE person = events_visitor_person('bench-visitor-000000')"
        )
    redis.delete("{bench-events}", "{bench-events}:counters")


# Sessions of 8 events (a search first) by people drawn with a skew (a few come back often,
# most once), a quarter of them signed in, over 30 days; bids accepted 8 times in 10.
GENERATE = """
INSERT INTO events_event (event_id, event_time, name, version, actor_user_id, visitor_id, session_id, payload)
SELECT gen_random_uuid(), s.at + k.n * interval '40 seconds', k.name, 1,
       CASE WHEN s.person %% 4 = 0 THEN s.person END, 'v' || s.person, 's' || s.id,
       CASE k.name
         WHEN 'buyer_searched_machines' THEN jsonb_build_object('query', 'pc' || (s.person %% 500), 'language', 'en',
              'filters', '{}'::jsonb, 'result_count', (s.person * 7) %% 300, 'relaxed', false,
              'latency_ms', 5 + random() * 60, 'page', 1, 'result_ids', '[1, 2, 3]'::jsonb, 'channel', 'page')
         WHEN 'buyer_placed_bid' THEN jsonb_build_object('auction_id', 1 + s.person %% 300,
              'machine_id', 1 + s.person %% 3000, 'accepted', random() < 0.8, 'proxy', false)
         WHEN 'auction_closed' THEN jsonb_build_object('auction_id', 1 + s.person %% 300,
              'machine_id', 1 + s.person %% 3000, 'result', 'sold', 'winner_id', s.person, 'bids', 10)
         ELSE jsonb_build_object('machine_id', 1 + (s.person * 13) %% 3000, 'watchers', 1)
       END
FROM (SELECT id, floor(1000000 * power(random(), 1.5))::bigint + 1 AS person,
             now() - random() * interval '30 days' AS at
      FROM generate_series(%(first)s, %(last)s) AS id) AS s
CROSS JOIN LATERAL (
    SELECT n, CASE WHEN n = 1 OR r < 0.25 THEN 'buyer_searched_machines'
                   WHEN r < 0.80 THEN 'buyer_viewed_machine'
                   WHEN r < 0.93 THEN 'buyer_watched_machine'
                   WHEN r < 0.999 THEN 'buyer_placed_bid'
                   ELSE 'auction_closed' END AS name
    FROM (SELECT n, random() AS r FROM generate_series(1, 8) AS n WHERE s.id > 0) AS drawn
) AS k
"""


def funnel_part(events: int) -> None:
    """Runs in a process of its own on the scratch database (see main)."""
    from django.db import connection
    from django.utils import timezone

    from events.selectors import funnel
    from events.sql import ensure_partitions, month_of, rebuild_funnel

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_event")
        (have,) = cursor.fetchone()
    if have != events:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE events_event")
        now = timezone.now()
        ensure_partitions({month_of(now - timedelta(days=day)) for day in range(32)})
        started = time.monotonic()
        sessions, step = events // 8, 125_000
        with connection.cursor() as cursor:
            for first in range(1, sessions + 1, step):
                cursor.execute(GENERATE, {"first": first, "last": min(first + step - 1, sessions)})
                print(f"    generated {min(first + step - 1, sessions) * 8:,} events", flush=True)
            cursor.execute("VACUUM ANALYZE events_event")
        print(f"    generated in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        rebuild_funnel()  # what the sink keeps as it writes, built at once for a bulk load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE events_funnel_day")
        print(f"    rollup rebuilt in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT person) FROM events_funnel_day")
        rows, people = cursor.fetchone()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        stages = funnel(now=timezone.now(), days=30)
        timings.append(time.perf_counter() - started)
    print(f"(c) 30-day funnel over {events:,} events ({people:,} people, {rows:,} person-days in the rollup): "
          f"median {median(timings):.2f} s (runs: {', '.join(f'{t:.2f}' for t in timings)}); {stages}")  # fmt: skip


def _scratch_database(url: str) -> str:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_events'").fetchone():
            admin.execute("CREATE DATABASE bench_events")
    scratch = f"{base}/bench_events"
    with psycopg.connect(scratch, autocommit=True) as db:  # the migrations' tables, without Django's
        for table, migration, sql in (
            ("events_event", "0001_initial", "EVENT_TABLE"),
            ("events_funnel_day", "0002_funnel", "FUNNEL"),
        ):
            (found,) = db.execute("SELECT to_regclass(%s)", [table]).fetchone() or (None,)
            if found is None:
                db.execute(getattr(import_module(f"events.migrations.{migration}"), sql))
    return scratch


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("parts", nargs="*", default=["emit", "sink", "funnel"])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--funnel-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.funnel_only:
        setup_django()
        funnel_part(args.events)
        return
    setup_django()
    print(machine_line())
    if "emit" in args.parts:
        emit(args.calls)
    if "sink" in args.parts:
        sink(args.rate, args.seconds, args.backlog)
    if "funnel" in args.parts:
        from django.conf import settings

        database = settings.DATABASES["default"]
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        scratch = _scratch_database(url)
        subprocess.run(
            [sys.executable, "-m", "bench.events", "--funnel-only", "--events", str(args.events)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": scratch},
            check=True,
        )


if __name__ == "__main__":
    main()
