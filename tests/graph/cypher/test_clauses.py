"""graph/cypher/_clauses.py: the text of every clause."""

from __future__ import annotations

import pytest

from graph.cypher import (
    InvalidIdentifierError,
    LabelNotAllowedError,
    Query,
    QueryStructureError,
    Rendered,
    asc,
    desc,
    func,
    node,
    param,
    var,
)
from graph.cypher._clauses import SetClause
from tests.graph.cypher.support import CATALOGUE_SCHEMA

m = node("m", "Machine")
mo = node("mo", "Model")
mk = node("mk", "Maker")


def query() -> Query:
    return Query(schema=CATALOGUE_SCHEMA)


def test_match_and_return() -> None:
    assert query().match(m).return_(m).render() == Rendered("MATCH (m:`Machine`)\nRETURN m", {})


def test_optional_match() -> None:
    rendered = query().match(m).optional_match(m.ref().rel_out("IS_OF_MODEL").to(mo)).return_(m, mo).render()

    assert (
        rendered.text
        == "MATCH (m:`Machine`)\nOPTIONAL MATCH (m)-[:`IS_OF_MODEL`]->(mo:`Model`)\nRETURN m, mo"
    )


def test_where_after_match() -> None:
    rendered = query().match(m).where(m.prop("status").eq("published")).return_(m).render()

    assert rendered == Rendered("MATCH (m:`Machine`)\nWHERE m.`status` = $p0\nRETURN m", {"p0": "published"})


def test_where_with_several_conditions_and_a_second_where_are_joined_with_and() -> None:
    rendered = (
        query()
        .match(m)
        .where(m.prop("year") >= 2015, m.prop("hours") < 3000)
        .where(m.prop("country").eq("DE") | m.prop("country").eq("AT"))
        .return_(m)
        .render()
    )

    assert rendered.text == (
        "MATCH (m:`Machine`)\n"
        "WHERE m.`year` >= $p0 AND m.`hours` < $p1 AND (m.`country` = $p2 OR m.`country` = $p3)\n"
        "RETURN m"
    )


def test_return_aliases_and_distinct() -> None:
    rendered = (
        query().match(m).return_(m.prop("name").as_("name"), m.prop("year"), "m", distinct=True).render()
    )

    assert rendered.text == "MATCH (m:`Machine`)\nRETURN DISTINCT m.`name` AS name, m.`year`, m"


def test_a_string_in_return_names_a_variable_and_a_value_needs_param() -> None:
    rendered = query().match(m).return_("m", param("m").as_("literal")).render()

    assert rendered == Rendered("MATCH (m:`Machine`)\nRETURN m, $p0 AS literal", {"p0": "m"})


def test_with_aggregation_and_distinct() -> None:
    rendered = (
        query()
        .match(m.rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk))
        .with_(mk, func.count(m, distinct=True).as_("machines"), distinct=True)
        .where(var("machines") > 10)
        .return_(mk.prop("name").as_("maker"), "machines")
        .render()
    )

    assert rendered == Rendered(
        "MATCH (m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)<-[:`MADE_MODEL`]-(mk:`Maker`)\n"
        "WITH DISTINCT mk, count(DISTINCT m) AS machines\n"
        "WHERE machines > $p0\n"
        "RETURN mk.`name` AS maker, machines",
        {"p0": 10},
    )


def test_with_requires_an_alias_for_expressions() -> None:
    with pytest.raises(QueryStructureError) as caught:
        query().match(m).with_(func.count(m))

    assert str(caught.value) == "WITH needs an alias for every expression that is not a variable: .as_(name)"


@pytest.mark.parametrize("alias", ["x y", "n AS m", "x}) DETACH DELETE n //", "return", "1st"])
def test_aliases_must_be_identifiers_and_not_keywords(alias: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        m.prop("name").as_(alias)


def test_two_columns_with_one_name_are_refused() -> None:
    with pytest.raises(QueryStructureError) as caught:
        query().match(m).return_(m.prop("name").as_("x"), m.prop("year").as_("x")).render()

    assert str(caught.value) == "RETURN has more than one column named x"


def test_order_by_skip_limit() -> None:
    rendered = (
        query()
        .match(m)
        .return_(m.prop("name").as_("name"), m.prop("year").as_("year"))
        .order_by(desc("year"), asc("name"), m.prop("hours"), m.prop("id").desc())
        .skip(20)
        .limit(10)
        .render()
    )

    assert rendered == Rendered(
        "MATCH (m:`Machine`)\n"
        "RETURN m.`name` AS name, m.`year` AS year\n"
        "ORDER BY year DESC, name ASC, m.`hours`, m.`id` DESC\n"
        "SKIP $p0\n"
        "LIMIT $p1",
        {"p0": 20, "p1": 10},
    )


def test_skip_and_limit_accept_a_named_parameter() -> None:
    page_size = param(25, name="page_size")
    rendered = query().match(m).return_(m).limit(page_size).render()

    assert rendered == Rendered("MATCH (m:`Machine`)\nRETURN m\nLIMIT $page_size", {"page_size": 25})


@pytest.mark.parametrize("count", [-1, True, 1.5, "10"])
def test_skip_and_limit_refuse_anything_but_a_non_negative_integer(count: object) -> None:
    with pytest.raises(QueryStructureError) as caught:
        query().match(m).return_(m).limit(count)  # type: ignore[arg-type]

    assert str(caught.value) == f"LIMIT takes a non-negative integer or an expression, got {count!r}"


def test_with_order_by_limit_then_where() -> None:
    rendered = (
        query()
        .match(m)
        .with_(m)
        .order_by(m.prop("year"))
        .limit(5)
        .where(m.prop("hours") < 100)
        .return_(m)
        .render()
    )

    assert rendered.text == (
        "MATCH (m:`Machine`)\nWITH m\nORDER BY m.`year`\nLIMIT $p0\nWHERE m.`hours` < $p1\nRETURN m"
    )


def test_unwind_a_list_value_and_a_variable() -> None:
    rendered = (
        query()
        .unwind(["kubota", "takeuchi"], "slug")
        .match(node("mk", "Maker", properties={"slug": var("slug")}))
        .with_(func.collect(mk.prop("name")).as_("names"))
        .unwind("names", "name")
        .return_("name")
        .render()
    )

    assert rendered == Rendered(
        "UNWIND $p0 AS slug\n"
        "MATCH (mk:`Maker` {`slug`: slug})\n"
        "WITH collect(mk.`name`) AS names\n"
        "UNWIND names AS name\n"
        "RETURN name",
        {"p0": ["kubota", "takeuchi"]},
    )


def test_merge_with_on_create_and_on_match_set_for_a_batch_of_rows() -> None:
    # given: the shape the graph sync writes with
    row = var("row")
    machine = node("m", "Machine", properties={"id": row.prop("id")})
    rows: list[dict[str, int | str]] = [
        {"id": 1, "year": 2015, "status": "published"},
        {"id": 2, "year": 2019, "status": "sold"},
    ]

    rendered = (
        query()
        .unwind(param(rows, name="rows"), "row")
        .merge(machine)
        .on_create_set(machine.prop("year").set_to(row.prop("year")))
        .on_match_set(machine.merge_with(row))
        .set(machine.prop("status").set_to(row.prop("status")))
        .with_(machine, row)
        .merge(node("mo", "Model", properties={"id": row.prop("id")}))
        .merge(machine.ref().rel_out("IS_OF_MODEL").to(mo.ref()))
        .render()
    )

    assert rendered == Rendered(
        "UNWIND $rows AS row\n"
        "MERGE (m:`Machine` {`id`: row.`id`})\n"
        "ON CREATE SET m.`year` = row.`year`\n"
        "ON MATCH SET m += row\n"
        "SET m.`status` = row.`status`\n"
        "WITH m, row\n"
        "MERGE (mo:`Model` {`id`: row.`id`})\n"
        "MERGE (m)-[:`IS_OF_MODEL`]->(mo)",
        {"rows": rows},
    )


def test_set_replaces_properties_adds_labels_and_takes_several_items() -> None:
    rendered = (
        query()
        .match(m)
        .set(m.set_to({"id": 1}), m.add_labels("Model", "Maker"), m.prop("name").set_to(None))
        .render()
    )

    assert rendered == Rendered(
        "MATCH (m:`Machine`)\nSET m = $p0, m:`Model`:`Maker`, m.`name` = $p1", {"p0": {"id": 1}, "p1": None}
    )


def test_set_labels_are_checked_against_the_schema() -> None:
    with pytest.raises(LabelNotAllowedError):
        query().match(m).set(m.add_labels("Admin")).render()
    with pytest.raises(LabelNotAllowedError):
        m.add_labels("Model`) DETACH DELETE m //")


def test_create_several_patterns() -> None:
    rendered = query().create(mk, mo.rel_in("MADE_MODEL").from_(mk.ref())).render()

    assert rendered.text == "CREATE (mk:`Maker`), (mo:`Model`)<-[:`MADE_MODEL`]-(mk)"


def test_delete_and_detach_delete() -> None:
    r = m.rel_out("IS_OF_MODEL", variable="r").to(mo)

    assert query().match(r).delete("r").render().text == (
        "MATCH (m:`Machine`)-[r:`IS_OF_MODEL`]->(mo:`Model`)\nDELETE r"
    )
    assert query().match(m).detach_delete(m).render().text == "MATCH (m:`Machine`)\nDETACH DELETE m"


def test_call_subquery_with_an_importing_with() -> None:
    s = node("s", "Spec")
    subquery = Query().match(m.ref().rel_out("HAS_MACHINE_SPEC").to(s)).return_(func.count(s).as_("specs"))

    rendered = (
        query().match(m).call(subquery, imports=(m,)).return_(m.prop("name").as_("name"), "specs").render()
    )

    assert rendered.text == (
        "MATCH (m:`Machine`)\n"
        "CALL {\n"
        "  WITH m\n"
        "  MATCH (m)-[:`HAS_MACHINE_SPEC`]->(s:`Spec`)\n"
        "  RETURN count(s) AS specs\n"
        "}\n"
        "RETURN m.`name` AS name, specs"
    )


def test_call_subquery_that_starts_with_its_own_with() -> None:
    subquery = Query().with_(m).where(m.prop("year") > 2000).return_(m.prop("id").as_("recent"))

    rendered = query().match(m).call(subquery).return_("recent").render()

    assert rendered == Rendered(
        "MATCH (m:`Machine`)\nCALL {\n  WITH m\n  WHERE m.`year` > $p0\n  RETURN m.`id` AS recent\n}\nRETURN recent",
        {"p0": 2000},
    )


def test_call_subquery_with_a_variable_scope_clause() -> None:
    subquery = Query().match(m.ref().rel_out("IS_OF_MODEL").to(mo)).return_(mo.prop("name").as_("model"))

    assert query().match(m).call(subquery, scope=(m,)).return_("model").render().text == (
        "MATCH (m:`Machine`)\nCALL (m) {\n  MATCH (m)-[:`IS_OF_MODEL`]->(mo:`Model`)\n  RETURN mo.`name` AS model\n}\n"
        "RETURN model"
    )
    assert query().call(Query().match(m).return_(m), scope=()).return_("m").render().text == (
        "CALL () {\n  MATCH (m:`Machine`)\n  RETURN m\n}\nRETURN m"
    )


def test_nested_subqueries_indent_by_level() -> None:
    inner = Query().match(mk).return_(mk)
    middle = Query().call(inner).return_("mk")

    assert query().call(middle).return_("mk").render().text == (
        "CALL {\n  CALL {\n    MATCH (mk:`Maker`)\n    RETURN mk\n  }\n  RETURN mk\n}\nRETURN mk"
    )


def test_a_unit_subquery_may_end_the_query() -> None:
    writes = Query().set(m.prop("status").set_to("archived"))

    rendered = query().match(m).call(writes, imports=(m,)).render()

    assert rendered.text == "MATCH (m:`Machine`)\nCALL {\n  WITH m\n  SET m.`status` = $p0\n}"


def test_call_takes_only_variables_to_import() -> None:
    with pytest.raises(QueryStructureError) as caught:
        query().match(m).call(Query().return_("m"), imports=(m.prop("id"),))
    with pytest.raises(QueryStructureError):
        query().match(m).call(Query().return_("m"), imports=(m,), scope=(m,))

    assert str(caught.value) == "CALL imports takes variables, got Property"


def test_an_importing_with_cannot_precede_a_union() -> None:
    parts = Query().match(m.ref()).return_(m).union(Query().match(m.ref()).return_(m))

    with pytest.raises(QueryStructureError) as caught:
        query().match(m).call(parts, imports=(m,))

    assert str(caught.value) == (
        "an importing WITH cannot precede a UNION; start each part with .with_(...) or use scope="
    )


def test_union_and_union_all() -> None:
    makers = query().match(mk).return_(mk.prop("name").as_("name"))
    models = query().match(mo).return_(mo.prop("name").as_("name"))
    machines = query().match(m).return_(m.prop("name").as_("name"))

    assert makers.union(models).union(machines).render().text == (
        "MATCH (mk:`Maker`)\nRETURN mk.`name` AS name\nUNION\n"
        "MATCH (mo:`Model`)\nRETURN mo.`name` AS name\nUNION\n"
        "MATCH (m:`Machine`)\nRETURN m.`name` AS name"
    )
    assert makers.union_all(models).render().text == (
        "MATCH (mk:`Maker`)\nRETURN mk.`name` AS name\nUNION ALL\nMATCH (mo:`Model`)\nRETURN mo.`name` AS name"
    )


def test_union_parts_share_one_parameter_namespace() -> None:
    first = query().match(m).where(m.prop("year") > 2000).return_(m.prop("id").as_("id"))
    second = query().match(mo).where(mo.prop("year") > 2010).return_(mo.prop("id").as_("id"))

    assert first.union(second).render().parameters == {"p0": 2000, "p1": 2010}


def test_union_refuses_mixing_union_and_union_all() -> None:
    part = query().match(m).return_(m)

    with pytest.raises(QueryStructureError) as caught:
        part.union(part).union_all(part)

    assert str(caught.value) == "Cypher does not allow mixing UNION and UNION ALL in one query"


def test_union_parts_must_return_the_same_columns() -> None:
    makers = query().match(mk).return_(mk.prop("name").as_("maker"))
    models = query().match(mo).return_(mo.prop("name").as_("model"))

    with pytest.raises(QueryStructureError) as caught:
        makers.union(models).render()

    assert str(caught.value) == "all parts of a UNION must return the same columns: maker vs model"


def test_a_union_can_be_a_call_subquery() -> None:
    makers = Query().match(mk).return_(mk.prop("name").as_("name"))
    models = Query().match(mo).return_(mo.prop("name").as_("name"))

    rendered = query().call(makers.union(models)).return_("name").order_by("name").render()

    assert rendered.text == (
        "CALL {\n  MATCH (mk:`Maker`)\n  RETURN mk.`name` AS name\n  UNION\n"
        "  MATCH (mo:`Model`)\n  RETURN mo.`name` AS name\n}\nRETURN name\nORDER BY name"
    )


def test_clause_objects_built_directly_refuse_text_that_is_not_theirs() -> None:
    with pytest.raises(QueryStructureError) as caught:
        SetClause("SET m.id = 1 DETACH DELETE m //", (m.prop("id").set_to(1),))  # type: ignore[arg-type]

    assert str(caught.value) == "unknown SET clause 'SET m.id = 1 DETACH DELETE m //'"
