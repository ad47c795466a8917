"""graph/cypher/_errors.py: the exception hierarchy and its stable codes."""

from __future__ import annotations

import graph.cypher
from graph.cypher import _errors
from graph.cypher._errors import (
    CypherError,
    InvalidIdentifierError,
    LabelNotAllowedError,
    MissingSchemaError,
    ParameterCollisionError,
    ParameterError,
    PropertyKeyNotAllowedError,
    QueryStructureError,
    RelationshipTypeNotAllowedError,
    SchemaError,
    TruthValueError,
    UnknownFunctionError,
    UnsupportedValueError,
)

EXPECTED_PARENTS = {
    InvalidIdentifierError: CypherError,
    SchemaError: CypherError,
    MissingSchemaError: SchemaError,
    LabelNotAllowedError: SchemaError,
    RelationshipTypeNotAllowedError: SchemaError,
    PropertyKeyNotAllowedError: SchemaError,
    UnknownFunctionError: CypherError,
    ParameterError: CypherError,
    ParameterCollisionError: ParameterError,
    UnsupportedValueError: ParameterError,
    QueryStructureError: CypherError,
    TruthValueError: QueryStructureError,
}


def test_hierarchy_matches_the_drawing() -> None:
    for error, parent in EXPECTED_PARENTS.items():
        assert error.__bases__[0] is parent, error.__name__
    assert CypherError.__bases__ == (Exception,)
    assert issubclass(TruthValueError, TypeError)


def test_module_docstring_draws_every_exception() -> None:
    doc = _errors.__doc__ or ""

    assert doc.startswith("Exceptions raised while building or rendering a Cypher query.")
    for error in (CypherError, *EXPECTED_PARENTS):
        assert error.__name__ in doc, error.__name__
    assert "├── SchemaError\n    │   ├── MissingSchemaError" in doc


def test_every_error_has_its_own_stable_code() -> None:
    codes = [error.code for error in (CypherError, *EXPECTED_PARENTS)]

    assert len(set(codes)) == len(codes)
    assert all(code.startswith("cypher_") for code in codes)


def test_every_error_is_exported_from_the_package() -> None:
    for error in (CypherError, *EXPECTED_PARENTS):
        assert getattr(graph.cypher, error.__name__) is error
        assert error.__name__ in graph.cypher.__all__
