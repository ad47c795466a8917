"""Exceptions raised while building or rendering a Cypher query.

Every exception carries a stable, machine-readable ``code``; messages quote the offending
input with ``repr`` so that quotes, backticks and newlines stay visible.

    CypherError
    ├── InvalidIdentifierError ............ variable, alias or parameter name is not a plain identifier
    ├── SchemaError
    │   ├── MissingSchemaError ............ render() was called and no Schema is known
    │   ├── LabelNotAllowedError .......... label not allowed by the Schema
    │   ├── RelationshipTypeNotAllowedError relationship type not allowed by the Schema
    │   └── PropertyKeyNotAllowedError .... property or map key not allowed by the Schema
    ├── UnknownFunctionError .............. function name not on the allow-list
    ├── ParameterError
    │   ├── ParameterCollisionError ....... two different values claim one explicit name
    │   └── UnsupportedValueError ......... value cannot travel as a Neo4j parameter
    └── QueryStructureError ............... clause order or shape that Cypher would reject
        └── TruthValueError ............... an expression was used as a Python bool

Catch ``CypherError`` to handle every failure of the builder; none of them is raised by
the server, so a query that rendered without error has only the server's own checks
(variable scoping, types of parameters) left to pass.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "CypherError",
    "InvalidIdentifierError",
    "LabelNotAllowedError",
    "MissingSchemaError",
    "ParameterCollisionError",
    "ParameterError",
    "PropertyKeyNotAllowedError",
    "QueryStructureError",
    "RelationshipTypeNotAllowedError",
    "SchemaError",
    "TruthValueError",
    "UnknownFunctionError",
    "UnsupportedValueError",
]


class CypherError(Exception):
    """Base class of every error raised by `graph.cypher`."""

    code: ClassVar[str] = "cypher_error"


class InvalidIdentifierError(CypherError):
    """A variable, alias, parameter name or schema entry is not a usable identifier."""

    code = "cypher_invalid_identifier"


class SchemaError(CypherError):
    """A name was refused by the Schema, or no Schema was given."""

    code = "cypher_schema_error"


class MissingSchemaError(SchemaError):
    code = "cypher_missing_schema"


class LabelNotAllowedError(SchemaError):
    code = "cypher_label_not_allowed"


class RelationshipTypeNotAllowedError(SchemaError):
    code = "cypher_relationship_type_not_allowed"


class PropertyKeyNotAllowedError(SchemaError):
    code = "cypher_property_key_not_allowed"


class UnknownFunctionError(CypherError):
    code = "cypher_unknown_function"


class ParameterError(CypherError):
    """A value cannot be bound as a parameter under the name or in the form given."""

    code = "cypher_parameter_error"


class ParameterCollisionError(ParameterError):
    code = "cypher_parameter_collision"


class UnsupportedValueError(ParameterError):
    code = "cypher_unsupported_value"


class QueryStructureError(CypherError):
    """Clauses or expressions were combined in a way Cypher does not accept."""

    code = "cypher_query_structure"


class TruthValueError(QueryStructureError, TypeError):
    """Raised by ``bool(expression)``: `and`, `or`, `not`, `if` and chained comparisons
    would silently evaluate Python truthiness instead of building Cypher."""

    code = "cypher_truth_value"
