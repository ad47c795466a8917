"""graph/cypher/_query.py: the fluent builder's clause-order rules, immutability and render()."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph.cypher import (
    MissingSchemaError,
    Query,
    QueryStructureError,
    Schema,
    Union,
    func,
    node,
    var,
)
from tests.graph.cypher.support import CATALOGUE_SCHEMA

m = node("m", "Machine")
mo = node("mo", "Model")


def query() -> Query:
    return Query(schema=CATALOGUE_SCHEMA)


def test_each_method_returns_a_new_query_and_leaves_the_receiver_unchanged() -> None:
    base = query().match(m)

    published = base.where(m.prop("status").eq("published")).return_(m)
    everything = base.return_(m)

    assert len(base.clauses) == 1
    assert published.render().text == "MATCH (m:`Machine`)\nWHERE m.`status` = $p0\nRETURN m"
    assert everything.render().text == "MATCH (m:`Machine`)\nRETURN m"
    with pytest.raises(AttributeError):
        base.clauses = ()  # type: ignore[misc]
    assert isinstance(base.clauses, tuple)


def test_a_list_value_mutated_after_building_does_not_change_the_query() -> None:
    slugs = ["kubota"]
    built = query().match(m).where(m.prop("slug").is_in(slugs)).return_(m)

    slugs.append("takeuchi")
    first = built.render()
    first.parameters["p0"].append("volvo")

    assert built.render().parameters == {"p0": ["kubota"]}


def test_rendering_is_deterministic() -> None:
    built = (
        query().match(m).where((m.prop("year") > 2000) | m.prop("hours").is_in([1, 2])).return_(m).limit(3)
    )

    assert built.render() == built.render()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: query().where(m.prop("id").eq(1)),
            "WHERE must follow MATCH, OPTIONAL MATCH or WITH, not the start of the query",
        ),
        (
            lambda: query().match(m).return_(m).where(m.prop("id").eq(1)),
            "WHERE must follow MATCH, OPTIONAL MATCH or WITH, not RETURN",
        ),
        (
            lambda: query().match(m).return_(m).limit(1).where(m.prop("id").eq(1)),
            "WHERE must follow MATCH, OPTIONAL MATCH or WITH, not LIMIT",
        ),
        (lambda: query().match(m).order_by("m"), "ORDER BY must follow WITH or RETURN, not MATCH"),
        (
            lambda: query().match(m).return_(m).limit(1).skip(1),
            "SKIP must follow WITH or RETURN or ORDER BY, not LIMIT",
        ),
        (
            lambda: query().match(m).limit(1),
            "LIMIT must follow WITH or RETURN or ORDER BY or SKIP, not MATCH",
        ),
        (
            lambda: query().match(m).return_(m).match(mo),
            "MATCH cannot follow RETURN; RETURN ends a query (use union() to add more)",
        ),
        (
            lambda: query().match(m).return_(m).with_(m),
            "WITH cannot follow RETURN; RETURN ends a query (use union() to add more)",
        ),
        (
            lambda: query().match(m).return_(m).return_(m),
            "RETURN cannot follow RETURN; RETURN ends a query (use union() to add more)",
        ),
        (
            lambda: query().match(m).return_(m).order_by("m").set(m.prop("id").set_to(1)),
            "SET cannot follow RETURN; RETURN ends a query (use union() to add more)",
        ),
        (
            lambda: query().match(m).on_create_set(m.prop("id").set_to(1)),
            "ON CREATE SET must follow MERGE, not MATCH",
        ),
        (
            lambda: query().merge(m).set(m.prop("id").set_to(1)).on_match_set(m.prop("id").set_to(1)),
            "ON MATCH SET must follow MERGE, not SET",
        ),
        (lambda: query().merge(m).match(mo), "WITH is required between MERGE and MATCH: add .with_(...)"),
        (
            lambda: query().create(m).set(m.prop("id").set_to(1)).unwind([1], "x"),
            "WITH is required between SET and UNWIND: add .with_(...)",
        ),
        (
            lambda: query().match(m).detach_delete(m).optional_match(mo),
            "WITH is required between DETACH DELETE and OPTIONAL MATCH: add .with_(...)",
        ),
        (
            lambda: query().merge(m).call(Query().return_(func.count())),
            "WITH is required between MERGE and CALL: add .with_(...)",
        ),
        (lambda: query().match(), "MATCH needs at least one pattern"),
        (lambda: query().match(m).where(), "where() needs at least one condition"),
        (
            lambda: query().match(m).where(True),
            "where() got the Python bool True, not a Cypher expression; == and != compare builder objects in Python, build Cypher equality with .eq() and .ne()",
        ),
        (lambda: query().match(m).return_(), "RETURN needs at least one item"),
        (lambda: query().match(m).with_(), "WITH needs at least one item"),
        (lambda: query().match(m).return_(m).order_by(), "order_by() needs at least one item"),
        (lambda: query().match(m).set(), "SET needs at least one item"),
        (
            lambda: query().match(m).set(m.prop("id").eq(1)),  # type: ignore[arg-type]
            "SET takes items such as n.prop('key').set_to(value), got BinaryOperation",
        ),
        (lambda: query().match(m).delete(), "DELETE needs at least one item"),
        (
            lambda: query().match(m).call("MATCH (n) RETURN n"),  # type: ignore[arg-type]
            "CALL takes a Query or Union, got str",
        ),
        (
            lambda: query().match(m).return_(m).union("x"),  # type: ignore[arg-type]
            "UNION combines Query objects, got str",
        ),
    ],
)
def test_clauses_in_an_order_cypher_rejects_fail_where_they_are_added(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(QueryStructureError) as caught:
        build()

    assert str(caught.value) == message


def test_the_first_clause_that_fails_leaves_earlier_queries_usable() -> None:
    base = query().match(m).return_(m)

    with pytest.raises(QueryStructureError):
        base.match(mo)

    assert base.render().text == "MATCH (m:`Machine`)\nRETURN m"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: query(), "the query has no clauses"),
        (
            lambda: query().match(m),
            "a query cannot end with MATCH; add RETURN, an updating clause or a CALL without RETURN",
        ),
        (
            lambda: query().match(m).where(m.prop("id").eq(1)),
            "a query cannot end with WHERE; add RETURN, an updating clause or a CALL without RETURN",
        ),
        (
            lambda: query().match(m).with_(m).limit(2),
            "a query cannot end with WITH; add RETURN, an updating clause or a CALL without RETURN",
        ),
        (
            lambda: query().unwind([1], "x"),
            "a query cannot end with UNWIND; add RETURN, an updating clause or a CALL without RETURN",
        ),
        (
            lambda: query().match(m).call(Query().with_(m).return_(m.prop("id").as_("i")), imports=()),
            "a query cannot end with CALL; add RETURN, an updating clause or a CALL without RETURN",
        ),
        (
            lambda: query().match(m).call(Query().match(mo)).return_(m),
            "a query cannot end with MATCH; add RETURN, an updating clause or a CALL without RETURN",
        ),
    ],
)
def test_queries_that_cannot_end_where_they_do_fail_to_render(
    build: Callable[[], Query], message: str
) -> None:
    with pytest.raises(QueryStructureError) as caught:
        build().render()

    assert str(caught.value) == message


def test_a_query_may_end_with_an_updating_clause() -> None:
    assert query().match(m).detach_delete(m).render().text == "MATCH (m:`Machine`)\nDETACH DELETE m"
    assert query().create(m).render().text == "CREATE (m:`Machine`)"


def test_a_query_without_reading_clauses_may_just_return() -> None:
    assert query().return_(func.count().as_("one")).render().text == "RETURN count(*) AS one"


def test_a_subquery_built_with_another_schema_is_refused() -> None:
    other = Schema(permissive=True)
    subquery = Query(schema=other).match(m).return_(m)

    with pytest.raises(QueryStructureError) as caught:
        query().call(subquery)

    assert str(caught.value) == "the subquery was built with a different schema"


def test_union_parts_built_with_different_schemas_are_refused() -> None:
    first = query().match(m).return_(m)
    second = Query(schema=Schema(permissive=True)).match(m).return_(m)

    with pytest.raises(QueryStructureError) as caught:
        first.union(second)

    assert str(caught.value) == "the parts of this query were built with different schemas"


def test_union_takes_its_schema_from_its_parts_or_from_render() -> None:
    first = Query().match(m).return_(m)
    second = query().match(m).return_(m)

    assert first.union(second).schema == CATALOGUE_SCHEMA
    with pytest.raises(MissingSchemaError):
        first.union(first).render()
    assert (
        first.union(first).render(CATALOGUE_SCHEMA).text
        == "MATCH (m:`Machine`)\nRETURN m\nUNION\nMATCH (m:`Machine`)\nRETURN m"
    )


def test_subqueries_use_the_outer_schema() -> None:
    subquery = Query().match(node("u", "User")).return_("u")

    with pytest.raises(Exception, match="label 'User' is not in the schema"):
        query().call(subquery).return_("u").render()


def test_query_and_union_report_whether_they_return() -> None:
    returning = query().match(m).return_(m)

    assert returning.returns
    assert not query().match(m).set(m.prop("id").set_to(1)).returns
    assert isinstance(returning.union(returning), Union)
    assert returning.union(returning).returns


def test_rendered_unpacks_to_text_and_parameters() -> None:
    text, parameters = query().match(m).where(var("m").prop("id").eq(7)).return_(m).render()

    assert text == "MATCH (m:`Machine`)\nWHERE m.`id` = $p0\nRETURN m"
    assert parameters == {"p0": 7}
