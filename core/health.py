"""GET /healthz: is this process able to serve requests? 503 when it is not.

Two kinds of check:
* **Backing services** (database, redis, and those apps register: search, graph), each with
  its latency. They run on a
  request thread, the way every synchronous view runs, under one deadline: a process whose
  request threads cannot get a database connection or finish in time is reported down, not
  healthy (the check used to run beside a wedged API and answer 200).
* **Requests** (`core.limits`): the process's pools of requests in flight. A request running
  longer than REQUEST_STUCK_SECONDS means requests are not being served; a full pool answers
  503 before this view runs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse

from core.limits import load
from core.redis import get_redis


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    get_redis().ping()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "redis": _redis}


def register_check(name: str, check: Callable[[], None]) -> None:
    """A backing service's check, raising when it is down (apps register theirs when ready)."""
    CHECKS[name] = check


def _timed(check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # any failure of a backing service means "down"
        result: dict[str, Any] = {"status": "down", "error": f"{type(error).__name__}: {error}"[:300]}
    else:
        result = {"status": "ok"}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def run_checks() -> dict[str, dict[str, Any]]:
    # The database check runs on this thread: Django connections belong to their thread.
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(_timed, check) for name, check in CHECKS.items() if name != "database"}
        results = {"database": _timed(CHECKS["database"])}
        results.update({name: future.result() for name, future in futures.items()})
    return {name: results[name] for name in CHECKS}


def requests_check() -> dict[str, Any]:
    """The process's request pools: down when one holds a request that has run longer than
    REQUEST_STUCK_SECONDS (event streams are open for minutes by design). A full pool needs
    no check here: it answers this request 503 before it gets here."""
    pools = load()
    stuck = [
        f"a request in the {name} pool has run {pool.oldest_seconds:.0f} s"
        for name, pool in pools.items()
        if name != "streams" and pool.oldest_seconds > settings.REQUEST_STUCK_SECONDS
    ]
    check: dict[str, Any] = {
        "status": "down" if stuck else "ok",
        "pools": {
            name: {
                "in_flight": pool.busy,
                "slots": pool.slots,
                "oldest_seconds": round(pool.oldest_seconds, 1),
            }
            for name, pool in pools.items()
        },
    }
    if stuck:
        check["error"] = "; ".join(stuck)
    return check


async def healthz(request: HttpRequest) -> JsonResponse:
    deadline = settings.HEALTH_CHECK_TIMEOUT + 1
    try:
        checks = await asyncio.wait_for(sync_to_async(run_checks)(), timeout=deadline)
    except TimeoutError:
        error = f"the checks did not finish on a request thread within {deadline:g} s"
        checks = {name: {"status": "down", "error": error, "latency_ms": deadline * 1000} for name in CHECKS}
    checks["requests"] = requests_check()
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
