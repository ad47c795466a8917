"""Clauses: one frozen dataclass per Cypher clause, each rendering one line of a query."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

from graph.cypher._errors import QueryStructureError
from graph.cypher._expressions import Expression, ExpressionLike, Property, Variable, to_projected
from graph.cypher._patterns import Path
from graph.cypher._render import indent
from graph.cypher._schema import check_label, check_variable

if TYPE_CHECKING:
    from graph.cypher._query import Query, Union
    from graph.cypher._render import RenderContext

__all__ = [
    "Aliased",
    "Call",
    "Clause",
    "Create",
    "Delete",
    "Limit",
    "Match",
    "Merge",
    "OrderBy",
    "ProjectionItem",
    "Return",
    "SetClause",
    "SetItem",
    "SetLabels",
    "SetProperties",
    "SetProperty",
    "Skip",
    "SortItem",
    "Unwind",
    "Where",
    "With",
    "asc",
    "column_names",
    "desc",
]


@dataclass(frozen=True)
class Aliased:
    """``expression AS alias`` in WITH or RETURN."""

    expression: Expression
    alias: str

    def __post_init__(self) -> None:
        check_variable(self.alias, "alias")


@dataclass(frozen=True)
class SortItem:
    """One ORDER BY item; `descending` None writes no direction (ascending by default)."""

    expression: Expression
    descending: bool | None = None

    def _render(self, context: RenderContext) -> str:
        text = self.expression._render(context)
        if self.descending is None:
            return text
        return text + (" DESC" if self.descending else " ASC")


def asc(item: ExpressionLike) -> SortItem:
    """``ORDER BY item ASC``; a string names a variable or alias."""
    return SortItem(to_projected(item), descending=False)


def desc(item: ExpressionLike) -> SortItem:
    """``ORDER BY item DESC``; a string names a variable or alias."""
    return SortItem(to_projected(item), descending=True)


ProjectionItem: TypeAlias = Expression | Aliased


class Clause(ABC):
    __slots__ = ()

    @property
    @abstractmethod
    def keyword(self) -> str: ...

    @abstractmethod
    def _render(self, context: RenderContext) -> str: ...


@dataclass(frozen=True)
class Match(Clause):
    patterns: tuple[Path, ...]
    optional: bool = False

    @property
    def keyword(self) -> str:
        return "OPTIONAL MATCH" if self.optional else "MATCH"

    def _render(self, context: RenderContext) -> str:
        return f"{self.keyword} " + ", ".join(pattern._render(context) for pattern in self.patterns)


@dataclass(frozen=True)
class Where(Clause):
    condition: Expression
    keyword = "WHERE"

    def _render(self, context: RenderContext) -> str:
        return "WHERE " + self.condition._render(context)


def _render_item(item: ProjectionItem, context: RenderContext) -> str:
    if isinstance(item, Aliased):
        return f"{item.expression._render(context)} AS {item.alias}"
    return item._render(context)


def column_names(items: tuple[ProjectionItem, ...], context: RenderContext) -> tuple[str, ...]:
    """The names of the columns a projection produces, as Neo4j names them."""
    names = []
    for item in items:
        if isinstance(item, Aliased):
            names.append(item.alias)
        elif isinstance(item, Variable):
            names.append(item.name)
        else:
            names.append(item._render(context))
    return tuple(names)


@dataclass(frozen=True)
class _Projection(Clause):
    items: tuple[ProjectionItem, ...]
    distinct: bool = False

    def _render(self, context: RenderContext) -> str:
        rendered = ", ".join(_render_item(item, context) for item in self.items)
        names = column_names(self.items, context)
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise QueryStructureError(
                f"{self.keyword} has more than one column named {', '.join(duplicates)}"
            )
        return f"{self.keyword} {'DISTINCT ' if self.distinct else ''}{rendered}"


@dataclass(frozen=True)
class With(_Projection):
    keyword = "WITH"

    def __post_init__(self) -> None:
        for item in self.items:
            if not isinstance(item, Aliased | Variable):
                raise QueryStructureError(
                    "WITH needs an alias for every expression that is not a variable: .as_(name)"
                )


@dataclass(frozen=True)
class Return(_Projection):
    keyword = "RETURN"


@dataclass(frozen=True)
class OrderBy(Clause):
    items: tuple[SortItem, ...]
    keyword = "ORDER BY"

    def _render(self, context: RenderContext) -> str:
        return "ORDER BY " + ", ".join(item._render(context) for item in self.items)


@dataclass(frozen=True)
class Skip(Clause):
    count: Expression
    keyword = "SKIP"

    def _render(self, context: RenderContext) -> str:
        return "SKIP " + self.count._render(context)


@dataclass(frozen=True)
class Limit(Clause):
    count: Expression
    keyword = "LIMIT"

    def _render(self, context: RenderContext) -> str:
        return "LIMIT " + self.count._render(context)


@dataclass(frozen=True)
class Unwind(Clause):
    source: Expression
    alias: str
    keyword = "UNWIND"

    def __post_init__(self) -> None:
        check_variable(self.alias, "alias")

    def _render(self, context: RenderContext) -> str:
        return f"UNWIND {self.source._render(context)} AS {self.alias}"


@dataclass(frozen=True)
class Call(Clause):
    """``CALL { ... }``.

    `imports` writes an importing ``WITH a, b`` as the subquery's first line, the form
    every Neo4j 5 understands. `scope` writes the variable scope clause of Neo4j 5.23+,
    ``CALL (a, b) { ... }`` (``scope=()`` for ``CALL () { ... }``); from 5.23 the server
    reports both the importing WITH and a bare ``CALL { ... }`` as deprecated."""

    subquery: Query | Union
    imports: tuple[Variable, ...] = ()
    scope: tuple[Variable, ...] | None = None
    keyword = "CALL"

    def __post_init__(self) -> None:
        if self.imports and self.scope is not None:
            raise QueryStructureError(
                "CALL takes imports (importing WITH) or scope (CALL (...) {}), not both"
            )

    @property
    def returns(self) -> bool:
        return self.subquery.returns

    def _render(self, context: RenderContext) -> str:
        body = self.subquery._render_statement(context)
        if self.imports:
            body = "WITH " + ", ".join(variable.name for variable in self.imports) + "\n" + body
        head = "CALL {"
        if self.scope is not None:
            head = "CALL (" + ", ".join(variable.name for variable in self.scope) + ") {"
        return f"{head}\n{indent(body)}\n}}"


@dataclass(frozen=True)
class Create(Clause):
    patterns: tuple[Path, ...]
    keyword = "CREATE"

    def _render(self, context: RenderContext) -> str:
        return "CREATE " + ", ".join(pattern._render(context) for pattern in self.patterns)


@dataclass(frozen=True)
class Merge(Clause):
    pattern: Path
    keyword = "MERGE"

    def _render(self, context: RenderContext) -> str:
        return "MERGE " + self.pattern._render(context)


class SetItem(ABC):
    """One assignment of a SET, ON CREATE SET or ON MATCH SET clause."""

    __slots__ = ()

    @abstractmethod
    def _render(self, context: RenderContext) -> str: ...


@dataclass(frozen=True)
class SetProperty(SetItem):
    """``n.key = value``; build it with ``n.prop("key").set_to(value)``."""

    target: Property
    value: Expression

    def _render(self, context: RenderContext) -> str:
        return f"{self.target._render(context)} = {self.value._render(context)}"


@dataclass(frozen=True)
class SetProperties(SetItem):
    """``n = map`` or, with `merge`, ``n += map``."""

    target: Variable
    value: Expression
    merge: bool

    def _render(self, context: RenderContext) -> str:
        return f"{self.target.name} {'+=' if self.merge else '='} {self.value._render(context)}"


@dataclass(frozen=True)
class SetLabels(SetItem):
    target: Variable
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.labels:
            raise QueryStructureError("add_labels() needs at least one label")
        for label in self.labels:
            check_label(label)

    def _render(self, context: RenderContext) -> str:
        return self.target.name + "".join(":" + context.schema.quote_label(label) for label in self.labels)


SetKind: TypeAlias = Literal["SET", "ON CREATE SET", "ON MATCH SET"]


@dataclass(frozen=True)
class SetClause(Clause):
    kind: SetKind
    items: tuple[SetItem, ...]

    def __post_init__(self) -> None:
        if self.kind not in ("SET", "ON CREATE SET", "ON MATCH SET"):
            raise QueryStructureError(f"unknown SET clause {self.kind!r}")

    @property
    def keyword(self) -> str:
        return self.kind

    def _render(self, context: RenderContext) -> str:
        return f"{self.kind} " + ", ".join(item._render(context) for item in self.items)


@dataclass(frozen=True)
class Delete(Clause):
    expressions: tuple[Expression, ...]
    detach: bool = False

    @property
    def keyword(self) -> str:
        return "DETACH DELETE" if self.detach else "DELETE"

    def _render(self, context: RenderContext) -> str:
        return f"{self.keyword} " + ", ".join(expression._render(context) for expression in self.expressions)
