"""Property tests over random query trees (strategies.py): values stay in parameters,
rendering is deterministic, Neo4j accepts what is rendered, and names that are not
identifiers never get in."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.cypher import (
    IDENTIFIER_PATTERN,
    CypherError,
    InvalidIdentifierError,
    LabelNotAllowedError,
    PropertyKeyNotAllowedError,
    Query,
    RelationshipTypeNotAllowedError,
    Schema,
    SchemaError,
    UnknownFunctionError,
    func,
    node,
    param,
    rel,
    var,
)
from tests.graph.cypher.strategies import Generated, read_queries, with_values_replaced, write_queries
from tests.graph.cypher.support import CATALOGUE_SCHEMA, INJECTIONS, PAYLOADS, Explain, deprecations

PURE = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SERVER = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

queries = st.one_of(read_queries(), write_queries())


@PURE
@given(generated=queries)
def test_values_reach_the_parameters_and_never_the_text(generated: Generated) -> None:
    # given: a random query, and the same query with every value replaced
    rendered = generated.query.render()
    blanked = with_values_replaced(generated.query).render()

    # then: the text does not depend on the values at all...
    assert blanked.text == rendered.text
    # ...every value is bound exactly once, unchanged...
    assert sorted(map(repr, rendered.parameters.values())) == sorted(map(repr, generated.values))
    # ...and no injection payload shows up in the text.
    for payload in PAYLOADS:
        assert payload not in rendered.text


@PURE
@given(generated=queries)
def test_rendering_is_deterministic(generated: Generated) -> None:
    first = generated.query.render()

    assert generated.query.render() == first
    assert copy.deepcopy(generated.query).render() == first


@SERVER
@given(generated=read_queries())
def test_neo4j_accepts_every_generated_read_query(generated: Generated, explain: Explain) -> None:
    summary = explain(generated.query.render())

    assert deprecations(summary) == []


@settings(SERVER, max_examples=60)
@given(generated=write_queries())
def test_neo4j_accepts_every_generated_write_query(generated: Generated, explain: Explain) -> None:
    # EXPLAIN plans MERGE, SET and DELETE without running them.
    summary = explain(generated.query.render())

    assert deprecations(summary) == []


not_identifiers = st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=20)).filter(
    lambda text: IDENTIFIER_PATTERN.fullmatch(text) is None
)
strict_and_permissive = st.sampled_from([CATALOGUE_SCHEMA, Schema(permissive=True)])


@PURE
@given(name=not_identifiers)
def test_a_name_that_is_not_an_identifier_is_refused_in_every_position(name: str) -> None:
    m = node("m", "Machine")

    with pytest.raises(LabelNotAllowedError):
        node("n", name)
    with pytest.raises(LabelNotAllowedError):
        m.add_labels(name)
    with pytest.raises(RelationshipTypeNotAllowedError):
        m.rel_out(name)
    with pytest.raises(RelationshipTypeNotAllowedError):
        rel("r", "HAS_SPEC", name)
    with pytest.raises(PropertyKeyNotAllowedError):
        m.prop(name)
    with pytest.raises(PropertyKeyNotAllowedError):
        node("n", properties={name: 1})
    with pytest.raises(PropertyKeyNotAllowedError):
        m.prop("id").eq({name: m.prop("id")})
    with pytest.raises(InvalidIdentifierError):
        var(name)
    with pytest.raises(InvalidIdentifierError):
        node(name)
    with pytest.raises(InvalidIdentifierError):
        m.prop("id").as_(name)
    with pytest.raises(InvalidIdentifierError):
        Query().unwind([1], name)
    with pytest.raises(InvalidIdentifierError):
        param(1, name=name)
    with pytest.raises(InvalidIdentifierError):
        m.rel_out().to(m).named(name)
    with pytest.raises(UnknownFunctionError):
        func(name, 1)


@PURE
@given(name=st.from_regex(IDENTIFIER_PATTERN, fullmatch=True), schema=strict_and_permissive)
def test_an_identifier_outside_a_strict_schema_is_refused_at_render(name: str, schema: Schema) -> None:
    query = (
        Query(schema=schema)
        .match(node("n", name).rel_out(name).to(node(properties={name: 1})))
        .return_(func.count())
    )

    if schema.permissive:
        assert query.render().text == f"MATCH (n:`{name}`)-[:`{name}`]->({{`{name}`: $p0}})\nRETURN count(*)"
    elif name in schema.labels:
        with pytest.raises(SchemaError):  # the same name is not also a relationship type
            query.render()
    else:
        with pytest.raises(LabelNotAllowedError):
            query.render()


@PURE
@given(value=st.one_of(st.sampled_from(INJECTIONS), st.text()))
def test_injection_strings_as_values_are_parameters(value: str) -> None:
    m = node("m", "Machine", properties={"slug": value})

    rendered = (
        Query(schema=CATALOGUE_SCHEMA).match(m).where(m.prop("name").contains(value)).return_(m).render()
    )

    assert rendered.text == "MATCH (m:`Machine` {`slug`: $p0})\nWHERE m.`name` CONTAINS $p1\nRETURN m"
    assert rendered.parameters == {"p0": value, "p1": value}


def test_every_builder_error_is_a_cypher_error() -> None:
    for build in (lambda: node("n", "x y"), lambda: var("1"), lambda: func("nope"), lambda: param(object())):  # type: ignore[arg-type]
        with pytest.raises(CypherError):
            build()
