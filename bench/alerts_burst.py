"""A burst of new listings told through the outbox worker, alone, on the saved searches and
indices a `bench.alerts --keep` run left (issue 21): one code against another on the same
searches and the same listings, without building 100,000 searches each time.

    SEARCH_INDEX_PREFIX=benchalerts .venv/bin/python -m bench.alerts --burst 0 --keep
    SEARCH_INDEX_PREFIX=benchalerts .venv/bin/python -m bench.alerts_burst [--burst 1000] [--seed 1]
    SEARCH_INDEX_PREFIX=benchalerts .venv/bin/python -m bench.alerts_burst --clean

The notification tables are vacuumed first (a burst before leaves millions of dead rows), and
the burst's listings and notifications are removed after it. --clean removes what --keep
left: the buyers (their saved searches with them) and the prefix's indices."""

from __future__ import annotations

import argparse
import os
import random
import sys

from bench.common import machine_line, setup_django

TABLES = ("alerts_notification", "alerts_digestentry", "alerts_outgoingemail", "marketplace_outboxevent")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    if os.environ.get("SEARCH_INDEX_PREFIX", "marketplace") == "marketplace":
        sys.exit("set SEARCH_INDEX_PREFIX to the prefix of a `bench.alerts --keep` run (benchalerts)")
    setup_django()
    from django.db import connection

    from alerts.models import SavedSearch
    from bench.alerts import BUYERS_PREFIX, clean_up, time_burst
    from marketplace.models import User

    if args.clean:
        clean_up(
            list(User.objects.filter(username__startswith=BUYERS_PREFIX).values_list("pk", flat=True)), []
        )
        return
    kept = SavedSearch.objects.filter(user__username__startswith=BUYERS_PREFIX).count()
    if not kept:
        sys.exit("no saved searches kept: run `bench.alerts --keep` first")
    print(machine_line())
    print(f"{kept} saved searches kept; vacuuming {', '.join(TABLES)}")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    made: list[int] = []
    try:
        time_burst(args.burst, random.Random(args.seed), made)
    finally:
        clean_up([], made, indices=False)


if __name__ == "__main__":
    main()
