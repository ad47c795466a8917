"""The Neo4j driver: one per process, built lazily from settings on first use."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from neo4j import Driver, GraphDatabase, Query

_lock = threading.Lock()
_driver: Driver | None = None


def get_driver() -> Driver:
    global _driver
    if _driver is None:
        with _lock:
            if _driver is None:
                _driver = GraphDatabase.driver(
                    settings.NEO4J_URI,
                    auth=(settings.NEO4J_USER, settings.NEO4J_PASSWORD),
                    connection_timeout=3,
                    connection_acquisition_timeout=5,
                    max_transaction_retry_time=5,
                )
    return _driver


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
