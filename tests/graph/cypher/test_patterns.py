"""graph/cypher/_patterns.py: nodes, relationships, paths, variable length, EXISTS."""

from __future__ import annotations

import pytest

from graph.cypher import (
    InvalidIdentifierError,
    LabelNotAllowedError,
    Pattern,
    PropertyKeyNotAllowedError,
    Query,
    QueryStructureError,
    RelationshipTypeNotAllowedError,
    Rendered,
    exists,
    func,
    node,
    rel,
    var_length,
)
from tests.graph.cypher.support import CATALOGUE_SCHEMA, render_expression


def render_pattern(*patterns: Pattern) -> Rendered:
    """Render patterns through ``MATCH ... RETURN count(*)`` and keep only the patterns."""
    text, parameters = Query(schema=CATALOGUE_SCHEMA).match(*patterns).return_(func.count()).render()
    return Rendered(text.removeprefix("MATCH ").removesuffix("\nRETURN count(*)"), parameters)


m = node("m", "Machine")
mo = node("mo", "Model")
mk = node("mk", "Maker")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (node(), "()"),
        (node("m"), "(m)"),
        (node(None, "Machine"), "(:`Machine`)"),
        (node("m", "Machine"), "(m:`Machine`)"),
        (node("x", "Machine", "Model"), "(x:`Machine`:`Model`)"),
        (node("m", "Machine").ref(), "(m)"),
    ],
)
def test_node_patterns(pattern: Pattern, text: str) -> None:
    assert render_pattern(pattern).text == text


def test_node_property_maps_bind_each_value_as_a_parameter() -> None:
    assert render_pattern(node("m", "Machine", properties={"status": "published", "year": 2015})) == Rendered(
        "(m:`Machine` {`status`: $p0, `year`: $p1})", {"p0": "published", "p1": 2015}
    )
    assert render_pattern(node(properties={"id": 7})).text == "({`id`: $p0})"


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (m.rel_out().to(mo), "(m:`Machine`)-->(mo:`Model`)"),
        (m.rel_in().from_(mo), "(m:`Machine`)<--(mo:`Model`)"),
        (m.rel_undirected().to(mo), "(m:`Machine`)--(mo:`Model`)"),
        (m.rel_out("IS_OF_MODEL").to(mo), "(m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)"),
        (m.rel_in("IS_OF_MODEL").from_(mo), "(m:`Machine`)<-[:`IS_OF_MODEL`]-(mo:`Model`)"),
        (m.rel_undirected("IS_OF_MODEL").to(mo), "(m:`Machine`)-[:`IS_OF_MODEL`]-(mo:`Model`)"),
        (m.rel_out("IS_OF_MODEL", variable="r").to(mo), "(m:`Machine`)-[r:`IS_OF_MODEL`]->(mo:`Model`)"),
        (m.rel_out(variable="r").to(mo), "(m:`Machine`)-[r]->(mo:`Model`)"),
        (
            m.rel_out("HAS_SPEC", "HAS_MACHINE_SPEC").to(node("s")),
            "(m:`Machine`)-[:`HAS_SPEC`|`HAS_MACHINE_SPEC`]->(s)",
        ),
    ],
)
def test_relationship_directions_variables_and_type_alternatives(pattern: Pattern, text: str) -> None:
    assert render_pattern(pattern).text == text


@pytest.mark.parametrize(
    ("length", "text"),
    [
        (var_length(), "*"),
        (var_length(1, 3), "*1..3"),
        (var_length(maximum=2), "*..2"),
        (var_length(2), "*2.."),
        (var_length(2, 2), "*2"),
        (var_length(0, 1), "*0..1"),
    ],
)
def test_variable_length_relationships(length: object, text: str) -> None:
    c = node("c", "Category")
    pattern = c.rel_out("CHILD_OF", length=length).to(node("root", "Category"))  # type: ignore[arg-type]

    assert render_pattern(pattern).text == f"(c:`Category`)-[:`CHILD_OF`{text}]->(root:`Category`)"


def test_variable_length_without_type_and_with_variable() -> None:
    pattern = node("a").rel_undirected(variable="hops", length=var_length(maximum=2)).to(node("b"))

    assert render_pattern(pattern).text == "(a)-[hops*..2]-(b)"


def test_relationship_property_maps() -> None:
    pattern = m.rel_out("HAS_SPEC", variable="r", properties={"unit": "kW"}).to(node("s", "Spec"))

    assert render_pattern(pattern) == Rendered(
        "(m:`Machine`)-[r:`HAS_SPEC` {`unit`: $p0}]->(s:`Spec`)", {"p0": "kW"}
    )
    assert render_pattern(node("a").rel_out(properties={"unit": "h"}).to(node("b"))).text == (
        "(a)-[{`unit`: $p0}]->(b)"
    )


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((-1, None), "hop counts must be non-negative integers, got -1"),
        ((3, 1), "minimum hops 3 exceed maximum hops 1"),
        ((True, None), "hop counts must be non-negative integers, got True"),
        (("1", None), "hop counts must be non-negative integers, got '1'"),
    ],
    ids=["negative", "inverted", "bool", "string"],
)
def test_invalid_hop_counts_are_refused(bounds: tuple[object, object], message: str) -> None:
    with pytest.raises(QueryStructureError) as caught:
        var_length(*bounds)  # type: ignore[arg-type]

    assert str(caught.value) == message


def test_paths_chain_several_hops_in_both_directions() -> None:
    pattern = m.rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk)

    assert render_pattern(pattern).text == (
        "(m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)<-[:`MADE_MODEL`]-(mk:`Maker`)"
    )


def test_several_patterns_in_one_match_are_comma_separated() -> None:
    spec = node("s", "Spec")
    text = render_pattern(m.rel_out("IS_OF_MODEL").to(mo), m.rel_out("HAS_MACHINE_SPEC").to(spec), mk).text

    assert (
        text
        == "(m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`), (m:`Machine`)-[:`HAS_MACHINE_SPEC`]->(s:`Spec`), (mk:`Maker`)"
    )


def test_named_paths() -> None:
    path = m.rel_out("IS_OF_MODEL").to(mo).named("p")

    assert render_pattern(path).text == "p = (m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)"
    assert render_expression(path).text == "p"


def test_a_rel_object_carries_its_variable_and_can_be_referred_to() -> None:
    r = rel("r", "HAS_MACHINE_SPEC", properties={"unit": "kW"})
    pattern = m.rel_out(r).to(node("s", "Spec"))

    assert render_pattern(pattern).text == "(m:`Machine`)-[r:`HAS_MACHINE_SPEC` {`unit`: $p0}]->(s:`Spec`)"
    assert render_expression(r.prop("unit")).text == "r.`unit`"


def test_a_rel_object_excludes_types_and_keywords_in_the_same_call() -> None:
    with pytest.raises(QueryStructureError) as caught:
        m.rel_out(rel("r"), variable="x")

    assert str(caught.value) == "pass either one rel(...) object or types and keywords, not both"


def test_a_variable_length_relationship_variable_has_no_properties() -> None:
    with pytest.raises(QueryStructureError):
        rel("r", "CHILD_OF", length=var_length()).prop("id")


def test_patterns_are_immutable_continuing_a_path_leaves_the_original() -> None:
    first = m.rel_out("IS_OF_MODEL").to(mo)
    longer = first.rel_in("MADE_MODEL").from_(mk)

    assert len(first.hops) == 1
    assert len(longer.hops) == 2


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: node("m", "Machine`) DETACH DELETE m //"), LabelNotAllowedError),
        (lambda: node("m", "Machine:Model"), LabelNotAllowedError),
        (lambda: node("m", properties={"id}) DETACH DELETE m //": 1}), PropertyKeyNotAllowedError),
        (lambda: m.rel_out("HAS_SPEC|MADE_MODEL"), RelationshipTypeNotAllowedError),
        (lambda: m.rel_out("HAS_SPEC", 7), RelationshipTypeNotAllowedError),  # type: ignore[arg-type]
        (lambda: node("m", None), LabelNotAllowedError),  # type: ignore[arg-type]
        (lambda: rel("r", "T]->() DETACH DELETE r //"), RelationshipTypeNotAllowedError),
        (lambda: node("m) DETACH DELETE m //"), InvalidIdentifierError),
        (lambda: m.rel_out(variable="r]->(x"), InvalidIdentifierError),
        (lambda: m.rel_out().to(mo).named("p = ()"), InvalidIdentifierError),
    ],
)
def test_names_that_are_not_identifiers_are_refused_while_building(
    build: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        build()  # type: ignore[operator]


def test_names_outside_the_schema_are_refused_when_rendering() -> None:
    query = Query(schema=CATALOGUE_SCHEMA).match(node("u", "User")).return_("u")

    with pytest.raises(LabelNotAllowedError) as caught:
        query.render()

    assert str(caught.value).startswith(
        "label 'User' is not in the schema (allowed: Category, Machine, Maker"
    )


def test_a_hop_must_end_at_a_node() -> None:
    with pytest.raises(QueryStructureError) as caught:
        m.rel_out("IS_OF_MODEL").to(mo.rel_out().to(mk))  # type: ignore[arg-type]

    assert str(caught.value) == "a hop ends at a node pattern, got Path"


def test_exists_subquery_with_a_condition() -> None:
    s = node("s", "Spec")
    r = rel("r", "HAS_MACHINE_SPEC")
    condition = exists(
        m.ref().rel_out(r).to(s),
        where=s.prop("code").eq("engine_power") & r.prop("unit").eq("kW"),
    )

    assert render_expression(condition) == Rendered(
        "EXISTS { MATCH (m)-[r:`HAS_MACHINE_SPEC`]->(s:`Spec`) WHERE s.`code` = $p0 AND r.`unit` = $p1 }",
        {"p0": "engine_power", "p1": "kW"},
    )


def test_exists_without_a_condition_and_with_several_patterns() -> None:
    condition = exists(m.ref().rel_out("IS_OF_MODEL").to(mo), mo.ref().rel_in("MADE_MODEL").from_(mk))

    assert render_expression(~condition).text == (
        "NOT EXISTS { MATCH (m)-[:`IS_OF_MODEL`]->(mo:`Model`), (mo)<-[:`MADE_MODEL`]-(mk:`Maker`) }"
    )


def test_exists_needs_a_pattern() -> None:
    with pytest.raises(QueryStructureError):
        exists()
