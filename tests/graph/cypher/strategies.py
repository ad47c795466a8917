"""Hypothesis strategies: random, well-typed query trees over the catalogue schema.

`read_queries` draws MATCH / OPTIONAL MATCH / WHERE / UNWIND / CALL / WITH / RETURN
queries, sometimes combined with UNION; `write_queries` draws the UNWIND + MERGE + SET
shape the graph sync writes with. The pieces come from drawing.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from graph.cypher import Expression, Param, Query, Schema, Union, asc, desc, node, var
from tests.graph.cypher.drawing import KEYS, LABELS, TYPES, Drawing, Scope
from tests.graph.cypher.support import CATALOGUE_SCHEMA


@dataclass
class Generated:
    query: Query | Union
    values: list[Any]


class Generator(Drawing):
    """Draws whole statements, clause by clause."""

    def reading(self, query: Query, scope: Scope) -> Query:
        for index in range(self.draw(st.integers(1, 2))):
            patterns = [self.path(scope) for _ in range(self.draw(st.integers(1, 2)))]
            optional = index > 0 and self.draw(st.booleans())
            query = query.optional_match(*patterns) if optional else query.match(*patterns)
            if self.draw(st.booleans()):
                query = query.where(self.condition(scope, 3))
        if self.chance(3):
            alias = self.fresh()
            query = query.unwind(self.list_expression(scope, 1), alias)
            scope.add("anys", alias)
        if self.chance(3):
            query = self.call(query, scope)
        return query

    def call(self, query: Query, scope: Scope) -> Query:
        imported = (
            self.draw(st.lists(st.sampled_from(scope.nodes), max_size=2, unique=True)) if scope.nodes else []
        )
        inner = scope.keep(imported)
        start = node(imported[0]) if imported else None
        body = Query().match(self.path(inner, start=start))
        aggregate, kind = self.aggregate(inner)
        alias = self.fresh()
        scope.add(kind, alias)
        return query.call(body.return_(aggregate.as_(alias)), scope=tuple(var(name) for name in imported))

    def with_clause(self, query: Query, scope: Scope) -> tuple[Query, Scope]:
        carried = (
            self.draw(st.lists(st.sampled_from(scope.names()), max_size=3, unique=True))
            if scope.names()
            else []
        )
        items: list[Any] = list(carried)
        after = scope.keep(carried)
        aggregated = self.draw(st.booleans()) or not items
        if aggregated:
            aggregate, kind = self.aggregate(scope)
            alias = self.fresh()
            items.append(aggregate.as_(alias))
            after.add(kind, alias)
        distinct = self.draw(st.booleans())
        query = query.with_(*items, distinct=distinct)
        names = after.names()
        if self.draw(st.booleans()) and set(names) - set(after.paths):
            query = query.order_by(*self.sort_items(names, after))
        if self.draw(st.booleans()):
            query = query.limit(self.value("count"))
        if self.draw(st.booleans()):
            filtered = after.copy()
            if aggregated or distinct:
                # Neo4j cannot filter on a path carried through an aggregating or DISTINCT
                # WITH ("not possible to access variables declared before the WITH").
                filtered.paths = []
            query = query.where(self.condition(filtered, 2))
        return query, after

    def sort_items(self, names: list[str], scope: Scope) -> list[Any]:
        # Neo4j cannot order by a path variable projected by a DISTINCT or aggregating
        # WITH/RETURN, so paths are left out of ORDER BY altogether.
        sortable = [name for name in names if name not in scope.paths]
        chosen = self.draw(st.lists(st.sampled_from(sortable), min_size=1, max_size=2, unique=True))
        return [self.draw(st.sampled_from([name, asc(name), desc(name)])) for name in chosen]

    def returning(self, query: Query, scope: Scope, columns: list[str] | None) -> Query:
        if columns is None:
            names = (
                self.draw(st.lists(st.sampled_from(scope.names()), max_size=2, unique=True))
                if scope.names()
                else []
            )
            items: list[Any] = list(names)
            for _ in range(self.draw(st.integers(0 if names else 1, 2))):
                alias = self.fresh()
                names.append(alias)
                items.append(self.projection(scope).as_(alias))
        else:
            names = columns
            items = [self.projection(scope).as_(alias) for alias in columns]
        query = query.return_(*items, distinct=self.draw(st.booleans()))
        if columns is None and self.draw(st.booleans()) and set(names) - set(scope.paths):
            query = query.order_by(*self.sort_items(names, scope))
        if self.draw(st.booleans()):
            query = query.skip(self.value("count"))
        if self.draw(st.booleans()):
            query = query.limit(self.value("count"))
        return query

    def projection(self, scope: Scope) -> Expression:
        return self.aggregate(scope)[0] if self.chance(3) else self.anything(scope, 2)

    def read_query(self, columns: list[str] | None = None) -> Query:
        scope = Scope()
        query = self.reading(Query(schema=CATALOGUE_SCHEMA), scope)
        if self.draw(st.booleans()):
            query, scope = self.with_clause(query, scope)
        return self.returning(query, scope, columns)

    def statement(self) -> Query | Union:
        if not self.chance(4):
            return self.read_query()
        columns = [self.fresh() for _ in range(self.draw(st.integers(1, 3)))]
        first, second = self.read_query(columns), self.read_query(columns)
        keep_duplicates = self.draw(st.booleans())
        combined = first.union_all(second) if keep_duplicates else first.union(second)
        if self.draw(st.booleans()):
            third = self.read_query(columns)
            combined = combined.union_all(third) if keep_duplicates else combined.union(third)
        return combined

    def write_query(self) -> Query:
        row = var("row")
        scope = Scope(anys=["row"])
        query = Query(schema=CATALOGUE_SCHEMA).unwind(self.value("rows"), "row")
        target = node(self.fresh(), self.draw(st.sampled_from(LABELS)), properties={"id": row.prop("id")})
        scope.add("nodes", target.as_expression().name)
        query = query.merge(target)
        if self.draw(st.booleans()):
            query = query.on_create_set(
                target.prop(self.draw(st.sampled_from(KEYS))).set_to(self.value("scalar"))
            )
        if self.draw(st.booleans()):
            query = query.on_match_set(
                target.merge_with(row if self.draw(st.booleans()) else self.value("map"))
            )
        if self.draw(st.booleans()):
            query = query.set(
                target.add_labels(self.draw(st.sampled_from(LABELS))),
                target.prop("name").set_to(row.prop("name")),
            )
        query = query.with_(target, row)
        other = node(self.fresh(), self.draw(st.sampled_from(LABELS)))
        query = query.match(other).where(other.prop("id").eq(row.prop(self.draw(st.sampled_from(KEYS)))))
        relationship = self.fresh()
        query = query.merge(
            target.ref().rel_out(self.draw(st.sampled_from(TYPES)), variable=relationship).to(other.ref())
        )
        query = query.set(var(relationship).prop("unit").set_to(self.value("string")))
        if self.draw(st.booleans()):
            query = (
                query.with_(other).detach_delete(other)
                if self.draw(st.booleans())
                else query.delete(relationship)
            )
        return query


@st.composite
def read_queries(draw: st.DrawFn) -> Generated:
    generator = Generator(draw)
    return Generated(generator.statement(), generator.values)


@st.composite
def write_queries(draw: st.DrawFn) -> Generated:
    generator = Generator(draw)
    return Generated(generator.write_query(), generator.values)


def with_values_replaced(tree: Any, replacement: Any = "\N{WHITE SQUARE}") -> Any:
    """The same query tree with every parameter's value swapped for `replacement`, keeping
    explicit names and the sharing of one Param object between several places."""
    memo: dict[int, Param] = {}

    def walk(item: Any) -> Any:
        if isinstance(item, Param):
            if id(item) not in memo:
                memo[id(item)] = Param(replacement, item.name)
            return memo[id(item)]
        if isinstance(item, tuple):
            return tuple(walk(element) for element in item)
        if dataclasses.is_dataclass(item) and not isinstance(item, type | Schema):
            return dataclasses.replace(
                item, **{f.name: walk(getattr(item, f.name)) for f in dataclasses.fields(item)}
            )
        return item

    return walk(tree)
