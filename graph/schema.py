"""Uniqueness constraints and indexes of the catalogue graph; idempotent, run by `prepare`."""

from __future__ import annotations

from graph.client import run_query

UNIQUE_IDS = ("Machine", "Model", "Maker", "Category", "Spec", "SpecCategory")

STATEMENTS: tuple[str, ...] = (*tuple(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in UNIQUE_IDS), "CREATE INDEX spec_code IF NOT EXISTS FOR (n:Spec) ON (n.code)", "CREATE INDEX machine_status IF NOT EXISTS FOR (n:Machine) ON (n.status)")


def ensure_schema() -> int:
    for statement in STATEMENTS:
        run_query(statement)
    return len(STATEMENTS)
