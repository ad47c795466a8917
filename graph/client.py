"""The Neo4j driver (core.clients: built on first use, one per URI; a driver owns a
connection pool, so one per process and server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from neo4j import Driver, GraphDatabase, ManagedTransaction, Query

from core.clients import LazyClients


def _build(uri: str) -> Driver:
    return GraphDatabase.driver(
        uri,
        auth=(settings.NEO4J_USER, settings.NEO4J_PASSWORD),
        connection_timeout=3,
        connection_acquisition_timeout=5,
        max_transaction_retry_time=5,
    )


_drivers: LazyClients[Driver] = LazyClients(
    key=lambda: str(settings.NEO4J_URI), build=_build, close=lambda driver: driver.close()
)


def get_driver() -> Driver:
    """The process's driver for NEO4J_URI."""
    return _drivers.get()


def close_drivers() -> None:
    _drivers.close_all()


def run_query(
    text: str, parameters: dict[str, Any] | None = None, *, timeout: float | None = None
) -> list[dict[str, Any]]:
    """Run one query in its own transaction and return its records as dicts of the values
    the driver decoded (queries return properties, lists and maps, never nodes: the
    driver's `Record.data()` would walk every nested list again in Python, 10-25 ms for a
    facet query's few thousand rows).

    Values always travel in `parameters`; `text` is written by code (see graph/cypher)."""
    query = Query(text, timeout=timeout)  # LiteralString by design: the text is written by code
    records, _, _ = get_driver().execute_query(
        query, parameters_=parameters or {}, database_=settings.NEO4J_DATABASE
    )
    return [dict(record.items()) for record in records]


def run_in_transaction(statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Run write statements in one transaction: all of them apply or none does. The driver
    retries the whole transaction on transient errors (deadlocks, leader switches), so the
    statements must be idempotent, as every graph write is."""

    def work(transaction: ManagedTransaction) -> None:
        for text, parameters in statements:
            transaction.run(text, parameters).consume()

    with get_driver().session(database=settings.NEO4J_DATABASE) as session:
        session.execute_write(work)
