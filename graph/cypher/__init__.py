"""A small, typed Cypher query builder: immutable objects in, ``(text, parameters)`` out.

It depends on nothing but the standard library, and it keeps input out of the query's
structure:

* every value becomes a bound parameter (``$p0``, ``$p1``... or a name you choose);
* labels, relationship types and property keys must be allowed by a `Schema` and are
  always backtick-quoted; variables and aliases must be plain identifiers;
* functions are called only from an allow-list.

Example::

    from graph.cypher import Query, Schema, desc, func, node

    schema = Schema(
        labels={"Machine", "Model", "Maker"},
        relationship_types={"IS_OF_MODEL", "MADE_MODEL"},
        property_keys={"slug", "year", "name"},
    )
    m, mo, mk = node("m", "Machine"), node("mo", "Model"), node("mk", "Maker")
    query = (
        Query(schema=schema)
        .match(m.rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk))
        .where(mk.prop("slug").is_in(["kubota", "takeuchi"]) & (m.prop("year") >= 2015))
        .with_(mk, func.count(m).as_("n"))
        .return_(mk.prop("name").as_("maker"), "n")
        .order_by(desc("n"))
        .limit(10)
    )
    text, parameters = query.render()

``text`` is::

    MATCH (m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)<-[:`MADE_MODEL`]-(mk:`Maker`)
    WHERE mk.`slug` IN $p0 AND m.`year` >= $p1
    WITH mk, count(m) AS n
    RETURN mk.`name` AS maker, n
    ORDER BY n DESC
    LIMIT $p2

and ``parameters`` is ``{"p0": ["kubota", "takeuchi"], "p1": 2015, "p2": 10}``.

Things worth knowing:

* Python's ``==``/``!=`` are not overloaded: write ``.eq()`` / ``.ne()``. Python binds
  ``&`` and ``|`` tighter than comparisons, so parenthesise: ``(a >= 1) & (b < 2)``.
* In WITH, RETURN, ORDER BY, UNWIND sources and DELETE a string names a variable
  (``"n"``); elsewhere a string is a value. Wrap a value in `param` to reuse one
  parameter or to name it (``param(rows, name="rows")``).
* ``Query.call(subquery, imports=(m,))`` writes ``CALL { WITH m ... }``;
  ``scope=(m,)`` writes ``CALL (m) { ... }``, which Neo4j 5.23+ prefers.

Reading guide: patterns (`node`, `rel`, ``rel_out/rel_in/rel_undirected``, `exists`) are
in `_patterns`, operators and parameters in `_expressions`, `func` and `case` in
`_functions`, clauses in `_clauses`, the fluent `Query` in `_query`, and the exception
hierarchy in `_errors`.
"""

from graph.cypher._clauses import Aliased, SetItem, SortItem, asc, desc
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
from graph.cypher._expressions import (
    Expressible,
    Expression,
    ExpressionLike,
    Param,
    Property,
    Variable,
    param,
    var,
)
from graph.cypher._functions import (
    AGGREGATING_FUNCTIONS,
    ALLOWED_FUNCTIONS,
    Case,
    FunctionCall,
    all_of,
    any_of,
    case,
    func,
)
from graph.cypher._patterns import (
    Exists,
    NodePattern,
    Path,
    Pattern,
    RelationshipPattern,
    VarLength,
    exists,
    node,
    rel,
    var_length,
)
from graph.cypher._query import Query, Union
from graph.cypher._render import Rendered
from graph.cypher._schema import IDENTIFIER_PATTERN, RESERVED_WORDS, Schema
from graph.cypher._values import Value

__all__ = [
    "AGGREGATING_FUNCTIONS",
    "ALLOWED_FUNCTIONS",
    "IDENTIFIER_PATTERN",
    "RESERVED_WORDS",
    "Aliased",
    "Case",
    "CypherError",
    "Exists",
    "Expressible",
    "Expression",
    "ExpressionLike",
    "FunctionCall",
    "InvalidIdentifierError",
    "LabelNotAllowedError",
    "MissingSchemaError",
    "NodePattern",
    "Param",
    "ParameterCollisionError",
    "ParameterError",
    "Path",
    "Pattern",
    "Property",
    "PropertyKeyNotAllowedError",
    "Query",
    "QueryStructureError",
    "RelationshipPattern",
    "RelationshipTypeNotAllowedError",
    "Rendered",
    "Schema",
    "SchemaError",
    "SetItem",
    "SortItem",
    "TruthValueError",
    "Union",
    "UnknownFunctionError",
    "UnsupportedValueError",
    "Value",
    "VarLength",
    "Variable",
    "all_of",
    "any_of",
    "asc",
    "case",
    "desc",
    "exists",
    "func",
    "node",
    "param",
    "rel",
    "var",
    "var_length",
]
