"""The real Neo4j judges the builder's output: every clause and pattern form compiles, the
parentheses the builder writes give the precedence Python meant, and injection strings
come back from the server as the plain values they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neo4j import Driver

from graph.cypher import (
    Expression,
    Query,
    Schema,
    Union,
    asc,
    case,
    desc,
    exists,
    func,
    node,
    param,
    rel,
    var,
    var_length,
)
from tests.graph.cypher.support import CATALOGUE_SCHEMA, INJECTIONS, Explain, deprecations

m = node("m", "Machine")
mo = node("mo", "Model")
mk = node("mk", "Maker")
c = node("c", "Category")
s = node("s", "Spec")
negative_price = -m.prop("price_eur_cents")


def query() -> Query:
    return Query(schema=CATALOGUE_SCHEMA)


def facet_query() -> Query:
    """Published machines of a category subtree with an engine power between two values."""
    r = rel("r", "HAS_MACHINE_SPEC")
    power = exists(
        m.ref().rel_out(r).to(node("s", "Spec", properties={"code": "engine_power"})),
        where=(r.prop("value_number") >= 20) & (r.prop("value_number") < 60),
    )
    return (
        query()
        .match(
            m.rel_out("BELONGS_TO_CATEGORY")
            .to(c)
            .rel_out("CHILD_OF", length=var_length(0))
            .to(node("root", "Category", properties={"slug": "excavators"}))
        )
        .where(m.prop("status").eq("published") & power)
        .with_(m, distinct=True)
        .match(m.ref().rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk))
        .with_(mk, func.count(m).as_("machines"))
        .return_(mk.prop("slug").as_("value"), mk.prop("name").as_("label"), "machines")
        .order_by(desc("machines"), asc("label"))
        .limit(20)
    )


def sync_query() -> Query:
    row = var("row")
    machine = node("m", "Machine", properties={"id": row.prop("id")})
    return (
        query()
        .unwind(param([{"id": 1, "year": 2015, "model_id": 7}], name="rows"), "row")
        .merge(machine)
        .on_create_set(machine.prop("year").set_to(row.prop("year")))
        .on_match_set(machine.merge_with({"year": row.prop("year"), "status": "published"}))
        .set(machine.add_labels("Machine"))
        .with_(machine, row)
        .match(node("mo", "Model", properties={"id": row.prop("id")}))
        .merge(machine.ref().rel_out("IS_OF_MODEL").to(mo.ref()))
    )


ACCEPTED: dict[str, Callable[[], Query | Union]] = {
    "facet query with EXISTS and a category subtree": facet_query,
    "sync with UNWIND, MERGE, ON CREATE/ON MATCH SET": sync_query,
    "optional match and null checks": lambda: (
        query()
        .match(m)
        .optional_match(m.ref().rel_out("IS_OF_MODEL").to(mo))
        .where(mo.prop("name").is_not_null() | m.prop("hours").is_null())
        .return_(m.prop("id").as_("id"), mo.prop("name").as_("model"))
    ),
    "relationship alternatives, directions and lengths": lambda: (
        query()
        .match(
            m.rel_out("HAS_SPEC", "HAS_MACHINE_SPEC", variable="r").to(s),
            c.rel_in("CHILD_OF", length=var_length(1, 3)).from_(node("sub", "Category")),
            c.rel_undirected("CHILD_OF", length=var_length(maximum=2)).to(node("near")),
            c.rel_out("CHILD_OF", length=var_length()).to(node("top")),
            c.rel_out(length=var_length(2, 2)).to(node("two")),
            c.rel_out(length=var_length(2)).to(node("far")),
        )
        .return_(func.count(m).as_("n"))
    ),
    "named path and path functions": lambda: (
        query()
        .match(c.rel_out("CHILD_OF", length=var_length()).to(node("root", "Category")).named("p"))
        .return_(func.length(var("p")).as_("depth"), func.nodes(var("p")).as_("trail"))
    ),
    "every operator, parenthesised": lambda: (
        query()
        .match(m)
        .where(
            ~((m.prop("year") - (m.prop("hours") - 1)) * 2 >= -negative_price % 3)
            ^ m.prop("slug").starts_with("ku").is_null()
            | (m.prop("name").ends_with("x") & m.prop("name").contains("y"))
            | m.prop("country").is_in(["DE", "AT"]).is_in([True])
            | ((m.prop("year") < 2) < True)
            | (m.prop("year") ** 2 / 4).eq(m.prop("year").ne(1))
        )
        .return_(m)
    ),
    "case, functions, list and map literals": lambda: (
        query()
        .match(m)
        .return_(
            case(m.prop("status")).when("sold", 0).else_(1).as_("simple"),
            case().when(m.prop("hours") > 5000, "high").else_("low").as_("generic"),
            func.coalesce(m.prop("hours"), 0).as_("hours"),
            func.toInteger(func.floor(m.prop("hours") / 1000)).as_("bucket"),
            func.size([m.prop("id"), 1]).as_("pair"),
            param({"k": [1, 2]}).as_("map_value"),
            [m.prop("id"), {"name": m.prop("name")}],
        )
    ),
    "aggregations with distinct": lambda: (
        query()
        .match(m)
        .with_(
            func.count().as_("rows"),
            func.count(m, distinct=True).as_("machines"),
            func.collect(m.prop("slug"), distinct=True).as_("slugs"),
            func.min(m.prop("year")).as_("oldest"),
            func.max(m.prop("year")).as_("newest"),
            func.avg(m.prop("hours")).as_("hours"),
            func.sum(m.prop("price_eur_cents")).as_("total"),
            distinct=True,
        )
        .return_("rows", "machines", "slugs", "oldest", "newest", "hours", "total", distinct=True)
    ),
    "with order by, skip, limit, where": lambda: (
        query()
        .match(m)
        .with_(m)
        .order_by(m.prop("year").desc())
        .skip(5)
        .limit(10)
        .where(m.prop("hours") < 100)
        .return_(m)
        .skip(param(0, name="offset"))
        .limit(param(5, name="page_size"))
    ),
    "unwind of a value and of a collected list": lambda: (
        query()
        .unwind(["kubota"], "slug")
        .match(node("mk", "Maker", properties={"slug": var("slug")}))
        .with_(func.collect(mk).as_("makers"))
        .unwind("makers", "maker")
        .return_("maker")
    ),
    "call with a scope clause": lambda: (
        query()
        .match(m)
        .call(
            query().match(m.ref().rel_out("HAS_MACHINE_SPEC").to(s)).return_(func.count(s).as_("specs")),
            scope=(m,),
        )
        .return_(m, "specs")
    ),
    "unit subquery that writes": lambda: (
        query()
        .match(m)
        .call(Query().set(m.prop("status").set_to("archived")), scope=(m,))
        .return_(func.count().as_("done"))
    ),
    "union and union all": lambda: (
        query()
        .match(mk)
        .return_(mk.prop("name").as_("name"))
        .union(query().match(mo).return_(mo.prop("name").as_("name")))
        .union(query().match(c).return_(c.prop("name").as_("name")))
    ),
    "union all inside a call": lambda: (
        query()
        .call(
            query()
            .match(mk)
            .return_(mk.prop("name").as_("name"))
            .union_all(query().match(mo).return_(mo.prop("name").as_("name"))),
            scope=(),
        )
        .return_("name")
        .order_by("name")
    ),
    "create, set, delete": lambda: (
        query()
        .create(mk.rel_out("MADE_MODEL", properties={"code": "x"}).to(mo))
        .set(mk.set_to({"name": "Kubota"}), mo.prop("name").set_to("KX"))
        .with_(mk, mo)
        .match(mk.ref().rel_out("MADE_MODEL", variable="r").to(mo.ref()))
        .delete("r")
        .with_(mk)
        .detach_delete(mk)
    ),
}


@pytest.mark.parametrize("build", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_neo4j_compiles_each_clause_and_pattern_form_without_deprecations(
    build: Callable[[], Query | Union], explain: Explain
) -> None:
    summary = explain(build().render())

    assert deprecations(summary) == []


SPECS = Query().match(m.ref().rel_out("HAS_MACHINE_SPEC").to(s)).return_(func.count(s).as_("specs"))
PRE_5_23_CALLS: dict[str, Callable[[], Query]] = {
    "importing WITH": lambda: query().match(m).call(SPECS, imports=(m,)).return_(m, "specs"),
    "subquery starting with its own WITH": lambda: (
        query()
        .match(m)
        .call(
            Query()
            .with_(m)
            .match(m.ref().rel_out("HAS_MACHINE_SPEC").to(s))
            .return_(func.count(s).as_("specs"))
        )
        .return_(m, "specs")
    ),
    "uncorrelated CALL { }": lambda: query().call(Query().match(m).return_(m)).return_(m),
}


@pytest.mark.parametrize("build", PRE_5_23_CALLS.values(), ids=PRE_5_23_CALLS.keys())
def test_neo4j_accepts_the_call_forms_of_servers_before_5_23_and_flags_them(
    build: Callable[[], Query], explain: Explain
) -> None:
    # These forms work on every Neo4j 5; from 5.23 the server prefers CALL (m) { ... },
    # which the builder writes when given scope=(...).
    summary = explain(build().render())

    (warning,) = deprecations(summary)
    assert "CALL subquery without a variable scope clause is now deprecated" in warning


def _run(driver: Driver, built: Query) -> list[dict[str, Any]]:
    rendered = built.render()
    records, _, _ = driver.execute_query(rendered.text, rendered.parameters, database_="neo4j")
    return [record.data() for record in records]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=40)))
def test_injection_strings_come_back_from_the_server_unchanged(value: str, neo4j_driver: Driver) -> None:
    # given: read-only queries, run for real
    echoed = query().return_(param(value).as_("v"), func.size(param(value)).as_("length"))
    matched = (
        query()
        .match(node("m", "Machine", properties={"slug": value}))
        .where(m.prop("name").contains(value))
        .return_(func.count().as_("n"))
    )

    assert _run(neo4j_driver, echoed) == [{"v": value, "length": len(value)}]
    assert _run(neo4j_driver, matched) == [{"n": 0}]


# ---------------------------------------------------------------- precedence, evaluated


def _and(left: bool | None, right: bool | None) -> bool | None:
    if left is False or right is False:
        return False
    return None if left is None or right is None else True


def _or(left: bool | None, right: bool | None) -> bool | None:
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


def _xor(left: bool | None, right: bool | None) -> bool | None:
    return None if left is None or right is None else left != right


def _not(operand: bool | None) -> bool | None:
    return None if operand is None else not operand


Pair = tuple[Expression, Any]


@st.composite
def integer_expressions(draw: st.DrawFn, depth: int = 3) -> Pair:
    """An integer expression and the value Python computes for it."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        value = draw(st.integers(-9, 9))
        return param(value), value
    kind = draw(st.sampled_from(["+", "-", "*", "neg"]))
    left, left_value = draw(integer_expressions(depth - 1))
    if kind == "neg":
        return -left, -left_value
    right, right_value = draw(integer_expressions(depth - 1))
    if kind == "+":
        return left + right, left_value + right_value
    if kind == "-":
        return left - right, left_value - right_value
    return left * right, left_value * right_value


@st.composite
def boolean_expressions(draw: st.DrawFn, depth: int = 3) -> Pair:
    """A boolean expression (three-valued, with nulls) and its value by Cypher's rules."""
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        if draw(st.booleans()):
            value = draw(st.sampled_from([True, False, None]))
            return param(value), value
        (left, left_value), (right, right_value) = draw(integer_expressions(2)), draw(integer_expressions(2))
        operator = draw(st.sampled_from(["eq", "ne", "<", "<=", ">", ">="]))
        return {
            "eq": (left.eq(right), left_value == right_value),
            "ne": (left.ne(right), left_value != right_value),
            "<": (left < right, left_value < right_value),
            "<=": (left <= right, left_value <= right_value),
            ">": (left > right, left_value > right_value),
            ">=": (left >= right, left_value >= right_value),
        }[operator]
    kind = draw(st.sampled_from(["and", "or", "xor", "not", "is null", "eq"]))
    left, left_value = draw(boolean_expressions(depth - 1))
    if kind == "not":
        return ~left, _not(left_value)
    if kind == "is null":
        return left.is_null(), left_value is None
    right, right_value = draw(boolean_expressions(depth - 1))
    if kind == "and":
        return left & right, _and(left_value, right_value)
    if kind == "or":
        return left | right, _or(left_value, right_value)
    if kind == "xor":
        return left ^ right, _xor(left_value, right_value)
    return left.eq(right), None if left_value is None or right_value is None else left_value == right_value


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=st.one_of(integer_expressions(), boolean_expressions()))
def test_the_server_evaluates_rendered_expressions_as_python_built_them(
    pair: Pair, neo4j_driver: Driver
) -> None:
    expression, expected = pair

    result = _run(neo4j_driver, Query(schema=Schema(permissive=True)).return_(expression.as_("v")))

    assert result == [{"v": expected}]
