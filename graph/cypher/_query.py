"""`Query`, the immutable fluent builder, and `Union` of queries.

Every method returns a new Query with one more clause; the receiver is never changed, so
a partly built query can be shared and extended in several directions. Methods check
the order of clauses as they are added (WHERE only after MATCH or WITH, ON CREATE SET
only after MERGE, nothing after RETURN but ORDER BY/SKIP/LIMIT...), so a mistake fails
where it is made rather than on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from graph.cypher._clauses import (
    Aliased,
    Call,
    Clause,
    Create,
    Delete,
    Limit,
    Match,
    Merge,
    OrderBy,
    ProjectionItem,
    Return,
    SetClause,
    SetItem,
    SetKind,
    Skip,
    SortItem,
    Unwind,
    Where,
    With,
    column_names,
)
from graph.cypher._errors import MissingSchemaError, QueryStructureError
from graph.cypher._expressions import (
    BooleanOperation,
    Expression,
    ExpressionLike,
    Param,
    Variable,
    to_condition,
    to_projected,
)
from graph.cypher._patterns import Path, Pattern, as_path
from graph.cypher._render import Rendered, render_text
from graph.cypher._values import freeze

if TYPE_CHECKING:
    from graph.cypher._render import RenderContext
    from graph.cypher._schema import Schema

__all__ = ["Query", "Union"]

_UPDATING = (Create, Merge, SetClause, Delete)
_MODIFIERS = (OrderBy, Skip, Limit)


def _projection_item(item: ExpressionLike | Aliased) -> ProjectionItem:
    return item if isinstance(item, Aliased) else to_projected(item)


def _sort_item(item: ExpressionLike | SortItem) -> SortItem:
    return item if isinstance(item, SortItem) else SortItem(to_projected(item))


def _count(value: int | Expression, keyword: str) -> Expression:
    if isinstance(value, Expression):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise QueryStructureError(f"{keyword} takes a non-negative integer or an expression, got {value!r}")
    return Param(freeze(value))


def _variables(items: tuple[ExpressionLike, ...], what: str) -> tuple[Variable, ...]:
    variables: list[Variable] = []
    for item in items:
        expression = to_projected(item)
        if not isinstance(expression, Variable):
            raise QueryStructureError(f"{what} takes variables, got {type(expression).__name__}")
        variables.append(expression)
    return tuple(variables)


def _resolve_schema(given: Schema | None, built_with: tuple[Schema | None, ...]) -> Schema:
    known = {schema for schema in built_with if schema is not None}
    if len(known) > 1:
        raise QueryStructureError("the parts of this query were built with different schemas")
    if given is not None:
        return given
    if not known:
        raise MissingSchemaError("no Schema: build with Query(schema=...) or call render(schema=...)")
    return known.pop()


@dataclass(frozen=True)
class Query:
    """A Cypher query built clause by clause; see the package docstring for an example.

    In WITH, RETURN, ORDER BY, UNWIND sources and DELETE a string names a variable or
    alias; everywhere else a Python value is a value and becomes a parameter."""

    schema: Schema | None = None
    clauses: tuple[Clause, ...] = ()

    # Reading.
    def match(self, *patterns: Pattern) -> Query:
        return self._add_reading(Match(self._patterns(patterns, "MATCH")))

    def optional_match(self, *patterns: Pattern) -> Query:
        return self._add_reading(Match(self._patterns(patterns, "OPTIONAL MATCH"), optional=True))

    def unwind(self, source: ExpressionLike, alias: str) -> Query:
        """``UNWIND source AS alias``; a list value becomes one parameter."""
        return self._add_reading(Unwind(to_projected(source), alias))

    def call(
        self,
        subquery: Query | Union,
        *,
        imports: tuple[ExpressionLike, ...] = (),
        scope: tuple[ExpressionLike, ...] | None = None,
    ) -> Query:
        """``CALL { subquery }``; see `Call` for `imports` and `scope`."""
        if not isinstance(subquery, Query | Union):
            raise QueryStructureError(f"CALL takes a Query or Union, got {type(subquery).__name__}")
        if self.schema is not None and subquery.schema not in (None, self.schema):
            raise QueryStructureError("the subquery was built with a different schema")
        if imports and isinstance(subquery, Union):
            raise QueryStructureError(
                "an importing WITH cannot precede a UNION; start each part with .with_(...) or use scope="
            )
        scope_variables = None if scope is None else _variables(scope, "CALL scope")
        return self._add_reading(Call(subquery, _variables(imports, "CALL imports"), scope_variables))

    def where(self, *conditions: ExpressionLike) -> Query:
        """Filter the preceding MATCH, OPTIONAL MATCH or WITH; conditions are joined with
        AND, and a second `where` adds to the first."""
        if not conditions:
            raise QueryStructureError("where() needs at least one condition")
        condition = to_condition(conditions[0], "where()")
        for extra in conditions[1:]:
            condition = BooleanOperation.combine("AND", condition, to_condition(extra, "where()"))
        last = self.clauses[-1] if self.clauses else None
        if isinstance(last, Where):
            merged = Where(BooleanOperation.combine("AND", last.condition, condition))
            return replace(self, clauses=(*self.clauses[:-1], merged))
        if not (isinstance(last, Match | With) or (isinstance(last, _MODIFIERS) and self._owner_is_with())):
            raise QueryStructureError(
                f"WHERE must follow MATCH, OPTIONAL MATCH or WITH, not {self._last_keyword()}"
            )
        return self._append(Where(condition))

    # Projections.
    def with_(self, *items: ExpressionLike | Aliased, distinct: bool = False) -> Query:
        """``WITH [DISTINCT] items``; expressions other than variables need ``.as_(alias)``."""
        self._check_open("WITH")
        return self._append(With(self._items(items, "WITH"), distinct))

    def return_(self, *items: ExpressionLike | Aliased, distinct: bool = False) -> Query:
        self._check_open("RETURN")
        return self._append(Return(self._items(items, "RETURN"), distinct))

    def order_by(self, *items: ExpressionLike | SortItem) -> Query:
        """Order by items; use `asc`/`desc` or ``expression.desc()`` for a direction."""
        self._check_modifier("ORDER BY", (With, Return))
        if not items:
            raise QueryStructureError("order_by() needs at least one item")
        return self._append(OrderBy(tuple(_sort_item(item) for item in items)))

    def skip(self, count: int | Expression) -> Query:
        self._check_modifier("SKIP", (With, Return, OrderBy))
        return self._append(Skip(_count(count, "SKIP")))

    def limit(self, count: int | Expression) -> Query:
        self._check_modifier("LIMIT", (With, Return, OrderBy, Skip))
        return self._append(Limit(_count(count, "LIMIT")))

    # Writing.
    def create(self, *patterns: Pattern) -> Query:
        self._check_open("CREATE")
        return self._append(Create(self._patterns(patterns, "CREATE")))

    def merge(self, pattern: Pattern) -> Query:
        self._check_open("MERGE")
        return self._append(Merge(as_path(pattern)))

    def set(self, *items: SetItem) -> Query:
        """``SET``: items come from ``n.prop(k).set_to(v)``, ``n.merge_with(map)``,
        ``n.set_to(map)`` and ``n.add_labels(...)``."""
        return self._add_set("SET", items)

    def on_create_set(self, *items: SetItem) -> Query:
        return self._add_set("ON CREATE SET", items)

    def on_match_set(self, *items: SetItem) -> Query:
        return self._add_set("ON MATCH SET", items)

    def delete(self, *items: ExpressionLike) -> Query:
        return self._add_delete(items, detach=False)

    def detach_delete(self, *items: ExpressionLike) -> Query:
        return self._add_delete(items, detach=True)

    # Combining and rendering.
    def union(self, other: Query) -> Union:
        return Union((self, other), keep_duplicates=False)

    def union_all(self, other: Query) -> Union:
        return Union((self, other), keep_duplicates=True)

    @property
    def returns(self) -> bool:
        """Whether the query ends in RETURN (a CALL subquery without it is a unit subquery)."""
        return any(isinstance(clause, Return) for clause in self.clauses)

    def render(self, schema: Schema | None = None) -> Rendered:
        """Render to ``(text, parameters)``. `schema`, if given, replaces the one the query
        was built with, for the query and all its subqueries."""
        return render_text(_resolve_schema(schema, (self.schema,)), self._render_statement)

    def _render_statement(self, context: RenderContext) -> str:
        if not self.clauses:
            raise QueryStructureError("the query has no clauses")
        final = next(clause for clause in reversed(self.clauses) if not isinstance(clause, _MODIFIERS))
        ends_well = isinstance(final, (Return, *_UPDATING)) or (isinstance(final, Call) and not final.returns)
        if not ends_well:
            raise QueryStructureError(
                f"a query cannot end with {final.keyword}; add RETURN, an updating clause or a CALL without RETURN"
            )
        return "\n".join(clause._render(context) for clause in self.clauses)

    def _columns(self, context: RenderContext) -> tuple[str, ...]:
        final = next((clause for clause in self.clauses if isinstance(clause, Return)), None)
        if final is None:
            raise QueryStructureError("every part of a UNION must end with RETURN")
        return column_names(final.items, context)

    # Clause-order checks.
    def _append(self, clause: Clause) -> Query:
        return replace(self, clauses=(*self.clauses, clause))

    def _last_keyword(self) -> str:
        return self.clauses[-1].keyword if self.clauses else "the start of the query"

    def _owner_is_with(self) -> bool:
        owner = next(
            (clause for clause in reversed(self.clauses) if not isinstance(clause, _MODIFIERS)), None
        )
        return isinstance(owner, With)

    def _check_open(self, keyword: str) -> None:
        if self.returns:
            raise QueryStructureError(
                f"{keyword} cannot follow RETURN; RETURN ends a query (use union() to add more)"
            )

    def _check_modifier(self, keyword: str, allowed_after: tuple[type[Clause], ...]) -> None:
        last = self.clauses[-1] if self.clauses else None
        if not isinstance(last, allowed_after):
            expected = " or ".join(str(cls.keyword) for cls in allowed_after)
            raise QueryStructureError(f"{keyword} must follow {expected}, not {self._last_keyword()}")

    def _add_reading(self, clause: Clause) -> Query:
        self._check_open(clause.keyword)
        for previous in reversed(self.clauses):
            if isinstance(previous, With):
                break
            if isinstance(previous, _UPDATING):
                raise QueryStructureError(
                    f"WITH is required between {previous.keyword} and {clause.keyword}: add .with_(...)"
                )
        return self._append(clause)

    def _add_set(self, kind: SetKind, items: tuple[SetItem, ...]) -> Query:
        self._check_open(kind)
        if not items:
            raise QueryStructureError(f"{kind} needs at least one item")
        for item in items:
            if not isinstance(item, SetItem):
                raise QueryStructureError(
                    f"{kind} takes items such as n.prop('key').set_to(value), got {type(item).__name__}"
                )
        if kind != "SET":
            last = self.clauses[-1] if self.clauses else None
            after_merge = isinstance(last, Merge) or (isinstance(last, SetClause) and last.kind != "SET")
            if not after_merge:
                raise QueryStructureError(f"{kind} must follow MERGE, not {self._last_keyword()}")
        return self._append(SetClause(kind, items))

    def _add_delete(self, items: tuple[ExpressionLike, ...], *, detach: bool) -> Query:
        keyword = "DETACH DELETE" if detach else "DELETE"
        self._check_open(keyword)
        if not items:
            raise QueryStructureError(f"{keyword} needs at least one item")
        return self._append(Delete(tuple(to_projected(item) for item in items), detach))

    @staticmethod
    def _patterns(patterns: tuple[Pattern, ...], keyword: str) -> tuple[Path, ...]:
        if not patterns:
            raise QueryStructureError(f"{keyword} needs at least one pattern")
        return tuple(as_path(pattern) for pattern in patterns)

    @staticmethod
    def _items(items: tuple[ExpressionLike | Aliased, ...], keyword: str) -> tuple[ProjectionItem, ...]:
        if not items:
            raise QueryStructureError(f"{keyword} needs at least one item")
        return tuple(_projection_item(item) for item in items)


@dataclass(frozen=True)
class Union:
    """``part UNION part ...`` (or UNION ALL with `keep_duplicates`); Cypher does not
    allow mixing the two, and every part must return the same columns."""

    parts: tuple[Query, ...]
    keep_duplicates: bool

    def __post_init__(self) -> None:
        for part in self.parts:
            if not isinstance(part, Query):
                raise QueryStructureError(f"UNION combines Query objects, got {type(part).__name__}")
        _ = self.schema  # parts built with different schemas fail here, not at render time

    @property
    def schema(self) -> Schema | None:
        return (
            _resolve_schema(None, tuple(part.schema for part in self.parts)) if self._has_schema() else None
        )

    @property
    def returns(self) -> bool:
        return True

    def union(self, other: Query) -> Union:
        return self._extend(other, keep_duplicates=False)

    def union_all(self, other: Query) -> Union:
        return self._extend(other, keep_duplicates=True)

    def render(self, schema: Schema | None = None) -> Rendered:
        return render_text(
            _resolve_schema(schema, tuple(part.schema for part in self.parts)), self._render_statement
        )

    def _has_schema(self) -> bool:
        return any(part.schema is not None for part in self.parts)

    def _extend(self, other: Query, *, keep_duplicates: bool) -> Union:
        if keep_duplicates != self.keep_duplicates:
            raise QueryStructureError("Cypher does not allow mixing UNION and UNION ALL in one query")
        return Union((*self.parts, other), keep_duplicates)

    def _render_statement(self, context: RenderContext) -> str:
        separator = "\nUNION ALL\n" if self.keep_duplicates else "\nUNION\n"
        texts = [part._render_statement(context) for part in self.parts]
        first = self.parts[0]._columns(context)
        for part in self.parts[1:]:
            columns = part._columns(context)
            if columns != first:
                raise QueryStructureError(
                    f"all parts of a UNION must return the same columns: {', '.join(first)} vs {', '.join(columns)}"
                )
        return separator.join(texts)
