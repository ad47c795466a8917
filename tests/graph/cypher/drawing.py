"""Drawing the pieces of random queries: values, patterns and expressions.

Neo4j type-checks parameters when it compiles a query (``size($p)`` with an integer is
rejected), so every piece is drawn with a type that fits where it is used, and the
variables in scope are tracked by what they hold. Every bound value is recorded, so
tests can check that each one reached the parameters and none reached the text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from graph.cypher import (
    Expression,
    NodePattern,
    Param,
    Path,
    all_of,
    any_of,
    case,
    exists,
    func,
    node,
    param,
    var,
    var_length,
)
from graph.cypher._expressions import ListLiteral
from tests.graph.cypher.support import CATALOGUE_SCHEMA, INJECTIONS

LABELS = sorted(CATALOGUE_SCHEMA.labels)
TYPES = sorted(CATALOGUE_SCHEMA.relationship_types)
KEYS = sorted(CATALOGUE_SCHEMA.property_keys)

texts = st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=12))
numbers = st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(allow_nan=False))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
VALUE_KINDS = {
    "any": values,
    "number": numbers,
    "string": texts,
    "bool": st.booleans(),
    "list": st.lists(values, max_size=4),
    "map": st.dictionaries(texts, values, max_size=3),
    # what a write query unwinds: `row.key` of anything but a map is a type error in Neo4j
    "rows": st.lists(st.dictionaries(texts, values, max_size=3), max_size=4),
    "count": st.integers(min_value=0, max_value=10_000),
    "scalar": st.one_of(st.booleans(), numbers, texts),
}


@dataclass
class Scope:
    """Variables in scope, by what they hold."""

    nodes: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    relationship_lists: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    anys: list[str] = field(default_factory=list)

    def copy(self) -> Scope:
        return Scope(**{name: list(names) for name, names in vars(self).items()})

    def names(self) -> list[str]:
        return [name for names in vars(self).values() for name in names]

    def keep(self, names: list[str]) -> Scope:
        return Scope(**{kind: [name for name in held if name in names] for kind, held in vars(self).items()})

    def add(self, kind: str, name: str) -> None:
        getattr(self, kind).append(name)


class Drawing:
    """Draws values, patterns and expressions for one example; see strategies.Generator."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.values: list[Any] = []
        self.counter = 0
        self.explicit_names: set[str] = set()
        self.pool: dict[str, list[Param]] = defaultdict(list)

    # ------------------------------------------------------------------ names and values
    def chance(self, one_in: int) -> bool:
        return self.draw(st.integers(min_value=1, max_value=one_in)) == 1

    def fresh(self) -> str:
        self.counter += 1
        return self.draw(st.sampled_from(["v", "n", "_", "node_", "Match_", "x"])) + str(self.counter)

    def value(self, kind: str) -> Param:
        if self.pool[kind] and self.chance(5):
            return self.draw(st.sampled_from(self.pool[kind]))  # the same object again: one parameter
        raw = self.draw(VALUE_KINDS[kind])
        name = None
        if self.chance(6):
            # Names like p3 collide with generated ones unless the renderer steps around them.
            candidate = self.draw(st.sampled_from(["p", "value_", "limit"])) + str(
                self.draw(st.integers(0, 12))
            )
            if candidate not in self.explicit_names:
                self.explicit_names.add(candidate)
                name = candidate
        bound = param(raw, name=name)
        self.values.append(raw)
        self.pool[kind].append(bound)
        return bound

    def properties(self, most: int) -> dict[str, Expression]:
        keys = self.draw(st.lists(st.sampled_from(KEYS), max_size=most, unique=True))
        return {key: self.value("any") for key in keys}

    # ------------------------------------------------------------------ patterns
    def new_node(self, scope: Scope, *, may_reuse: bool = True) -> NodePattern:
        if may_reuse and scope.nodes and self.chance(4):
            return node(self.draw(st.sampled_from(scope.nodes)))
        variable = self.fresh() if self.draw(st.booleans()) else None
        labels = self.draw(st.lists(st.sampled_from(LABELS), max_size=2, unique=True))
        if variable is not None:
            scope.add("nodes", variable)
        return node(variable, *labels, properties=self.properties(2))

    def path(self, scope: Scope, start: NodePattern | None = None) -> Path:
        path = Path(start if start is not None else self.new_node(scope))
        for _ in range(self.draw(st.integers(0, 2))):
            types = self.draw(st.lists(st.sampled_from(TYPES), max_size=2, unique=True))
            length = None
            if self.chance(3):
                low = self.draw(st.none() | st.integers(0, 2))
                high = self.draw(st.none() | st.integers(low or 0, 3))
                length = var_length(low, high)
            variable = self.fresh() if self.draw(st.booleans()) else None
            if variable is not None:
                scope.add("relationship_lists" if length is not None else "relationships", variable)
            keywords: dict[str, Any] = {
                "variable": variable,
                "length": length,
                "properties": self.properties(1),
            }
            target = self.new_node(scope)
            direction = self.draw(st.sampled_from(["out", "in", "undirected"]))
            if direction == "out":
                path = path.rel_out(*types, **keywords).to(target)
            elif direction == "in":
                path = path.rel_in(*types, **keywords).from_(target)
            else:
                path = path.rel_undirected(*types, **keywords).to(target)
        if self.chance(6):
            name = self.fresh()
            scope.add("paths", name)
            path = path.named(name)
        return path

    # ------------------------------------------------------------------ expressions
    def leaf(self, scope: Scope, kind: str, variables: list[str]) -> Expression:
        """A parameter, a property of a node or relationship, or a variable of the kind."""
        sources = ["value"]
        if scope.nodes or scope.relationships:
            sources.append("property")
        if variables:
            sources.append("variable")
        source = self.draw(st.sampled_from(sources))
        if source == "property":
            owner = self.draw(st.sampled_from(scope.nodes + scope.relationships))
            return var(owner).prop(self.draw(st.sampled_from(KEYS)))
        if source == "variable":
            return var(self.draw(st.sampled_from(variables)))
        return self.value(kind)

    def anything(self, scope: Scope, depth: int) -> Expression:
        choice = self.draw(st.integers(0, 7 if depth > 0 else 1))
        if choice == 0:
            return self.leaf(scope, "any", scope.anys + scope.nodes + scope.paths)
        if choice == 1:
            return self.leaf(scope, "scalar", scope.anys)
        if choice == 2:
            return self.number(scope, depth - 1)
        if choice == 3:
            return self.string(scope, depth - 1)
        if choice == 4:
            return self.condition(scope, depth - 1)
        if choice == 5:
            return self.list_expression(scope, depth - 1)
        if choice == 6:
            return func.coalesce(self.anything(scope, depth - 1), self.anything(scope, depth - 1))
        if self.draw(st.booleans()):
            simple = case(self.anything(scope, depth - 1))
            for _ in range(self.draw(st.integers(1, 2))):
                simple = simple.when(self.anything(scope, 0), self.anything(scope, depth - 1))
            return simple.else_(self.anything(scope, 0)) if self.draw(st.booleans()) else simple
        generic = case().when(self.condition(scope, depth - 1), self.anything(scope, depth - 1))
        return generic.else_(self.anything(scope, 0)) if self.draw(st.booleans()) else generic

    def number(self, scope: Scope, depth: int) -> Expression:
        choice = self.draw(st.integers(0, 6 if depth > 0 else 1))
        if choice == 0:
            return self.leaf(scope, "number", scope.numbers)
        if choice == 1:
            sized = scope.relationship_lists + scope.lists
            if sized and self.chance(2):
                return func.size(var(self.draw(st.sampled_from(sized))))
            if scope.paths and self.chance(2):
                return func.length(var(self.draw(st.sampled_from(scope.paths))))
            return func.size(self.value("list"))
        if choice <= 3:
            operator = self.draw(st.sampled_from(["+", "-", "*", "/", "%", "^"]))
            left, right = self.number(scope, depth - 1), self.number(scope, depth - 1)
            return {
                "+": left + right,
                "-": left - right,
                "*": left * right,
                "/": left / right,
                "%": left % right,
                "^": left**right,
            }[operator]
        if choice == 4:
            return -self.number(scope, depth - 1)
        if choice == 5:
            rounding: Callable[..., Expression] = self.draw(
                st.sampled_from([func.abs, func.floor, func.sign])
            )
            return rounding(self.number(scope, depth - 1))
        return func.toInteger(self.string(scope, depth - 1))

    def string(self, scope: Scope, depth: int) -> Expression:
        choice = self.draw(st.integers(0, 3 if depth > 0 else 0))
        if choice == 0:
            # Variables in `anys` may hold a union type (Boolean or Path...), which Neo4j
            # refuses where a String is required, so only values and properties go here.
            return self.leaf(scope, "string", [])
        if choice == 1:
            return self.string(scope, depth - 1) + self.string(scope, depth - 1)
        if choice == 2:
            change: Callable[..., Expression] = self.draw(
                st.sampled_from([func.toLower, func.toUpper, func.trim])
            )
            return change(self.string(scope, depth - 1))
        return func.toString(self.number(scope, depth - 1))

    def list_expression(self, scope: Scope, depth: int) -> Expression:
        choice = self.draw(st.integers(0, 2 if depth > 0 else 0))
        if choice == 0:
            return self.leaf(scope, "list", scope.lists + scope.relationship_lists)
        if choice == 1:
            return self.value("list")
        return ListLiteral(
            tuple(self.anything(scope, depth - 1) for _ in range(self.draw(st.integers(1, 3))))
        )

    def condition(self, scope: Scope, depth: int) -> Expression:
        choice = self.draw(st.integers(0, 10 if depth > 0 else 3))
        if choice == 0:
            return self.leaf(scope, "bool", [])
        if choice == 1:
            left, right = self.anything(scope, depth - 1), self.anything(scope, depth - 1)
            operator = self.draw(st.sampled_from(["eq", "ne", "<", "<=", ">", ">="]))
            return {
                "eq": lambda: left.eq(right),
                "ne": lambda: left.ne(right),
                "<": lambda: left < right,
                "<=": lambda: left <= right,
                ">": lambda: left > right,
                ">=": lambda: left >= right,
            }[operator]()
        if choice == 2:
            subject = self.anything(scope, depth - 1)
            return subject.is_null() if self.draw(st.booleans()) else subject.is_not_null()
        if choice == 3:
            return self.anything(scope, depth - 1).is_in(self.list_expression(scope, depth - 1))
        if choice == 4:
            subject, pattern = self.string(scope, depth - 1), self.string(scope, depth - 1)
            return self.draw(st.sampled_from([subject.starts_with, subject.ends_with, subject.contains]))(
                pattern
            )
        if choice <= 6:
            left, right = self.condition(scope, depth - 1), self.condition(scope, depth - 1)
            return self.draw(st.sampled_from([left & right, left | right, left ^ right]))
        if choice == 7:
            return ~self.condition(scope, depth - 1)
        if choice == 8:
            conditions = [self.condition(scope, depth - 1) for _ in range(self.draw(st.integers(1, 3)))]
            return self.draw(st.sampled_from([all_of, any_of]))(*conditions)
        if choice == 9 and scope.nodes:
            inner = scope.copy()
            subquery_path = self.path(inner, start=node(self.draw(st.sampled_from(scope.nodes))))
            where = self.condition(inner, depth - 1) if self.draw(st.booleans()) else None
            return exists(subquery_path, where=where)
        return self.leaf(scope, "bool", [])

    def aggregate(self, scope: Scope) -> tuple[Expression, str]:
        choice = self.draw(st.integers(0, 5))
        if choice == 0:
            return func.count(), "numbers"
        if choice == 1:
            return func.count(self.anything(scope, 1), distinct=self.draw(st.booleans())), "numbers"
        if choice == 2:
            return func.collect(self.anything(scope, 1), distinct=self.draw(st.booleans())), "lists"
        if choice == 3:
            return self.draw(st.sampled_from([func.sum, func.avg]))(self.number(scope, 1)), "numbers"
        return self.draw(st.sampled_from([func.min, func.max]))(self.anything(scope, 1)), "anys"
