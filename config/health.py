"""GET /healthz: one check per backing service, each with its latency; 503 if any is down."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse

from config.redis import get_redis
from graph.client import run_query
from search.client import get_client


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    get_redis().ping()


def _search() -> None:
    health = get_client().cluster.health(request_timeout=settings.HEALTH_CHECK_TIMEOUT)
    if health["status"] == "red":
        raise RuntimeError("cluster status is red")


def _graph() -> None:
    run_query("RETURN 1 AS ok", timeout=settings.HEALTH_CHECK_TIMEOUT)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "redis": _redis,
    "search": _search,
    "graph": _graph,
}


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


def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
