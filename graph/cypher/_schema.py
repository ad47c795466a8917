"""Names that end up in query text: identifiers, reserved words and the Schema allow-list.

Only three kinds of user-supplied names ever reach the text of a query:

* variables and aliases (``m``, ``maker``) are written bare, so they must be plain
  identifiers and not Cypher keywords;
* labels, relationship types and property keys must be allowed by a `Schema` and are
  always backtick-quoted;
* parameter names follow ``$`` and must be plain identifiers.

Everything else in the text is written by this package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graph.cypher._errors import (
    InvalidIdentifierError,
    LabelNotAllowedError,
    PropertyKeyNotAllowedError,
    RelationshipTypeNotAllowedError,
    SchemaError,
)

__all__ = [
    "IDENTIFIER_PATTERN",
    "RESERVED_WORDS",
    "Schema",
    "check_identifier",
    "check_label",
    "check_property_key",
    "check_relationship_type",
    "check_variable",
    "quote",
]

IDENTIFIER_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Words a bare variable may not be: Cypher keywords (current and reserved for the future)
# and the float literals NaN/Inf/Infinity, which the parser would read as numbers.
RESERVED_WORDS = frozenset(
    word.lower()
    for word in """
    ADD ALL ALLSHORTESTPATHS AND ANY AS ASC ASCENDING ASSERT BY CALL CASE COLLECT CONSTRAINT
    CONTAINS COUNT CREATE CSV DELETE DESC DESCENDING DETACH DISTINCT DO DROP ELSE END ENDS
    EXISTS EXTRACT FALSE FIELDTERMINATOR FILTER FINISH FOR FOREACH FROM HEADERS IN INDEX INF
    INFINITY INSERT IS JOIN KEY LIMIT LOAD MANDATORY MATCH MERGE NAN NODE NONE NOT NULL OF
    OFFSET ON OPTIONAL OR ORDER PERIODIC REDUCE REMOVE REQUIRE RETURN SCALAR SCAN SET
    SHORTEST SHORTESTPATH SINGLE SKIP START STARTS THEN TRUE UNION UNIQUE UNWIND USE USING
    WHEN WHERE WITH XOR YIELD
    """.split()  # noqa: SIM905  # a word list reads better as text
)


def check_identifier(name: object, what: str) -> str:
    """Return `name` if it is a plain ASCII identifier, else raise InvalidIdentifierError."""
    if not isinstance(name, str) or IDENTIFIER_PATTERN.fullmatch(name) is None:
        raise InvalidIdentifierError(f"{what} must match {IDENTIFIER_PATTERN.pattern!r}, got {name!r}")
    return name


def check_variable(name: object, what: str = "variable") -> str:
    """Return `name` if it can be written bare as a variable or alias."""
    checked = check_identifier(name, what)
    if checked.lower() in RESERVED_WORDS:
        raise InvalidIdentifierError(f"{what} {checked!r} is a Cypher keyword; choose another name")
    return checked


def _check_name(name: object, what: str, error: type[SchemaError]) -> str:
    if not isinstance(name, str) or IDENTIFIER_PATTERN.fullmatch(name) is None:
        raise error(f"{what} {name!r} is not a plain identifier ({IDENTIFIER_PATTERN.pattern})")
    return name


def check_label(name: object) -> str:
    """Refuse a label that no Schema could allow; called when a pattern is built."""
    return _check_name(name, "label", LabelNotAllowedError)


def check_relationship_type(name: object) -> str:
    return _check_name(name, "relationship type", RelationshipTypeNotAllowedError)


def check_property_key(name: object) -> str:
    return _check_name(name, "property key", PropertyKeyNotAllowedError)


def quote(name: str) -> str:
    """Backtick-quote a schema name; doubling backticks keeps any string inert."""
    return "`" + name.replace("`", "``") + "`"


def _names(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, str):
        raise SchemaError(f"{what}s must be an iterable of names, not one string {values!r}")
    return frozenset(check_identifier(value, what) for value in values)


@dataclass(frozen=True, init=False)
class Schema:
    """The labels, relationship types and property keys a query may name.

    ``Schema(labels=..., relationship_types=..., property_keys=...)`` allows exactly the
    names listed. ``Schema(permissive=True)`` allows any plain identifier instead; use it
    for tools and tests, never for names that come from users.
    Map-literal keys count as property keys, since such maps are mostly written to nodes.
    """

    labels: frozenset[str]
    relationship_types: frozenset[str]
    property_keys: frozenset[str]
    permissive: bool

    def __init__(
        self,
        *,
        labels: Iterable[str] = (),
        relationship_types: Iterable[str] = (),
        property_keys: Iterable[str] = (),
        permissive: bool = False,
    ) -> None:
        object.__setattr__(self, "labels", _names(labels, "label"))
        object.__setattr__(self, "relationship_types", _names(relationship_types, "relationship type"))
        object.__setattr__(self, "property_keys", _names(property_keys, "property key"))
        object.__setattr__(self, "permissive", bool(permissive))

    def extended(
        self,
        *,
        labels: Iterable[str] = (),
        relationship_types: Iterable[str] = (),
        property_keys: Iterable[str] = (),
    ) -> Schema:
        """A new Schema allowing these names as well."""
        return Schema(
            labels=self.labels | _names(labels, "label"),
            relationship_types=self.relationship_types | _names(relationship_types, "relationship type"),
            property_keys=self.property_keys | _names(property_keys, "property key"),
            permissive=self.permissive,
        )

    def quote_label(self, name: object) -> str:
        """Check a label against the Schema and return it backtick-quoted."""
        return quote(self._check(name, self.labels, "label", LabelNotAllowedError))

    def quote_relationship_type(self, name: object) -> str:
        return quote(
            self._check(name, self.relationship_types, "relationship type", RelationshipTypeNotAllowedError)
        )

    def quote_property_key(self, name: object) -> str:
        return quote(self._check(name, self.property_keys, "property key", PropertyKeyNotAllowedError))

    def _check(self, name: object, allowed: frozenset[str], what: str, error: type[SchemaError]) -> str:
        name = _check_name(name, what, error)
        if self.permissive or name in allowed:
            return name
        known = ", ".join(sorted(allowed)) or "none"
        raise error(f"{what} {name!r} is not in the schema (allowed: {known})")
