"""Shared test data: the catalogue graph's schema and strings meant to break a query."""

from __future__ import annotations

from collections.abc import Callable

from neo4j import NotificationCategory, ResultSummary

from graph.cypher import Query, Rendered, Schema

Explain = Callable[[Rendered], ResultSummary]

CATALOGUE_SCHEMA = Schema(
    labels={"Machine", "Model", "Maker", "Category", "Spec", "SpecCategory"},
    relationship_types={
        "BELONGS_TO_CATEGORY",
        "IS_OF_MODEL",
        "MADE_MODEL",
        "HAS_SPEC",
        "BELONGS_TO_SPEC_CATEGORY",
        "CHILD_OF",
        "HAS_MACHINE_SPEC",
    },
    property_keys={
        "id",
        "slug",
        "name",
        "year",
        "hours",
        "price_eur_cents",
        "country",
        "status",
        "code",
        "value_number",
        "value_text",
        "unit",
    },
)

# Payloads that would change a query's structure if they reached its text; none of them
# can occur in text the builder writes, so tests can look for them.
PAYLOADS = (
    "x}) DETACH DELETE n //",
    "'}) MATCH (n) DETACH DELETE n //",
    '"}) RETURN 1 //',
    "`) DETACH DELETE n //",
    "Machine`) DETACH DELETE n //",
    "/* comment */",
    "// comment\nMATCH (n) DETACH DELETE n",
    "' OR 1=1 --",
    "1; DROP DATABASE neo4j",
    "CALL dbms.components() YIELD name RETURN name",
    "HAS_SPEC|MADE_MODEL",
    "Machine:Model",
)
# Payloads plus short strings that are awkward in names: quotes, backticks, control and
# non-ASCII characters, keywords, names with stray whitespace.
INJECTIONS = (
    *PAYLOADS,
    "`",
    "``",
    "a`b",
    "$p0",
    "{p0}",
    "\n",
    "\r\n\t",
    "\\",
    "\\u0060",
    "Ω≈ç√ñ",
    "日本語",
    "😀🔥",
    "\u202e",
    "\x00",
    "n.`name`",
    ":Machine",
    "MATCH",
    "p0 ",
    " id",
    "id\n",
)


def render_expression(expression: object) -> Rendered:
    """Render one expression through ``RETURN`` and strip the keyword, so tests can assert
    on the expression's text alone."""
    text, parameters = Query(schema=CATALOGUE_SCHEMA).return_(expression).render()  # type: ignore[arg-type]
    return Rendered(text.removeprefix("RETURN "), parameters)


def deprecations(summary: ResultSummary) -> list[str]:
    """The deprecation warnings the server reported while compiling a query."""
    return [
        f"{notification.title}: {notification.description}"
        for notification in summary.summary_notifications
        if notification.category == NotificationCategory.DEPRECATION
    ]
