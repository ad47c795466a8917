"""A real Neo4j for the tests that ask the server whether it accepts a rendered query.

EXPLAIN compiles and plans a query without running it, so these tests need no data and
leave none behind."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from neo4j import Driver, GraphDatabase, ResultSummary

from graph.cypher import Rendered


@pytest.fixture(scope="session")
def neo4j_driver() -> Iterator[Driver]:
    driver = GraphDatabase.driver(
        os.environ.get("NEO4J_URI", "bolt://127.0.0.1:17688"),
        auth=(os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "marketplace-local")),
        # Warnings include deprecations, which the tests check for; unknown labels and
        # keys in an empty database are warnings too and are simply ignored.
        notifications_min_severity="WARNING",
    )
    driver.verify_connectivity()
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def explain(neo4j_driver: Driver) -> Callable[[Rendered], ResultSummary]:
    """Compile a rendered query on the server with its parameters; raises on rejection."""
    database = os.environ.get("NEO4J_DATABASE", "neo4j")

    def run(rendered: Rendered) -> ResultSummary:
        with neo4j_driver.session(database=database) as session:
            return session.run("EXPLAIN " + rendered.text, rendered.parameters).consume()

    return run
