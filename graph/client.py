"""The Neo4j driver: built lazily from settings on first use, one per URI (a driver owns a
connection pool, so one per process and server)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from neo4j import Driver, GraphDatabase, Query

_lock = threading.Lock()
_drivers: dict[str, Driver] = {}


def get_driver() -> Driver:
    uri = settings.NEO4J_URI
    driver = _drivers.get(uri)
    if driver is None:
        with _lock:
            driver = _drivers.get(uri)
            if driver is None:
                driver = GraphDatabase.driver(
                    uri,
                    auth=(settings.NEO4J_USER, settings.NEO4J_PASSWORD),
                    connection_timeout=3,
                    connection_acquisition_timeout=5,
                    max_transaction_retry_time=5,
                )
                _drivers[uri] = driver
    return driver


def close_drivers() -> None:
    with _lock:
        for driver in _drivers.values():
            driver.close()
        _drivers.clear()


def run_query(
    text: str, parameters: dict[str, Any] | None = None, *, timeout: float | None = None
) -> list[dict[str, Any]]:
    """Run one query in its own transaction and return its records as dicts.

    Values always travel in `parameters`; `text` is written by code (see graph/cypher)."""
    query = Query(text, timeout=timeout)  # type: ignore[arg-type]  # LiteralString by design
    records, _, _ = get_driver().execute_query(
        query, parameters_=parameters or {}, database_=settings.NEO4J_DATABASE
    )
    return [record.data() for record in records]
