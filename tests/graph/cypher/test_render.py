"""graph/cypher/_render.py: parameter names, sharing and collisions."""

from __future__ import annotations

import pytest

from graph.cypher import (
    InvalidIdentifierError,
    ParameterCollisionError,
    Query,
    Rendered,
    node,
    param,
)
from graph.cypher._render import indent
from tests.graph.cypher.support import CATALOGUE_SCHEMA

m = node("m", "Machine")


def query() -> Query:
    return Query(schema=CATALOGUE_SCHEMA)


def test_generated_names_follow_the_order_of_appearance() -> None:
    rendered = (
        query()
        .match(node("m", "Machine", properties={"status": "published"}))
        .where(m.prop("year") >= 2015)
        .return_(m)
        .limit(10)
        .render()
    )

    assert rendered == Rendered(
        "MATCH (m:`Machine` {`status`: $p0})\nWHERE m.`year` >= $p1\nRETURN m\nLIMIT $p2",
        {"p0": "published", "p1": 2015, "p2": 10},
    )


def test_one_param_object_used_twice_is_one_parameter() -> None:
    year = param(2015)

    rendered = query().match(m).where((m.prop("year") >= year) | m.prop("hours").eq(year)).return_(m).render()

    assert rendered == Rendered(
        "MATCH (m:`Machine`)\nWHERE m.`year` >= $p0 OR m.`hours` = $p0\nRETURN m", {"p0": 2015}
    )


def test_equal_values_in_different_param_objects_stay_separate_parameters() -> None:
    rendered = query().match(m).where((m.prop("year") >= 1) & (m.prop("hours") >= 1)).return_(m).render()

    assert rendered.parameters == {"p0": 1, "p1": 1}


def test_values_that_compare_equal_in_python_never_share_a_parameter() -> None:
    # 1 == 1.0 == True in Python, but they are three different Cypher values.
    rendered = query().match(m).where(m.prop("year").is_in([m.prop("id"), 1, 1.0, True])).return_(m).render()

    assert rendered.parameters == {"p0": 1, "p1": 1.0, "p2": True}
    assert [type(value) for value in rendered.parameters.values()] == [int, float, bool]


def test_explicit_names_are_used_as_given() -> None:
    rendered = query().match(m).where(m.prop("slug").eq(param("kubota", name="slug"))).return_(m).render()

    assert rendered == Rendered("MATCH (m:`Machine`)\nWHERE m.`slug` = $slug\nRETURN m", {"slug": "kubota"})


def test_generated_names_step_around_explicit_names_wherever_they_appear() -> None:
    # given: the explicit "p0" and "p1" appear only after two generated parameters
    rendered = (
        query()
        .match(m)
        .where((m.prop("year") > 1) & (m.prop("hours") > 2) & m.prop("id").is_in(param([3], name="p0")))
        .return_(m)
        .limit(param(4, name="p1"))
        .render()
    )

    assert rendered == Rendered(
        "MATCH (m:`Machine`)\nWHERE m.`year` > $p2 AND m.`hours` > $p3 AND m.`id` IN $p0\nRETURN m\nLIMIT $p1",
        {"p2": 1, "p3": 2, "p0": [3], "p1": 4},
    )


def test_two_values_under_one_explicit_name_collide() -> None:
    built = (
        query()
        .match(m)
        .where(m.prop("year").eq(param(2015, name="year")) | m.prop("hours").eq(param(2016, name="year")))
        .return_(m)
    )

    with pytest.raises(ParameterCollisionError) as caught:
        built.render()

    assert str(caught.value) == (
        "parameter name 'year' is given to two different values; reuse one param() object to refer to the "
        "same value twice"
    )
    assert caught.value.code == "cypher_parameter_collision"


def test_equal_values_under_one_explicit_name_still_collide_unless_it_is_one_object() -> None:
    first, second = param(1, name="one"), param(1, name="one")

    with pytest.raises(ParameterCollisionError):
        query().match(m).where(m.prop("year").eq(first) & m.prop("hours").eq(second)).return_(m).render()
    assert query().match(m).where(m.prop("year").eq(first) & m.prop("hours").eq(first)).return_(
        m
    ).render() == (
        Rendered("MATCH (m:`Machine`)\nWHERE m.`year` = $one AND m.`hours` = $one\nRETURN m", {"one": 1})
    )


@pytest.mark.parametrize("name", ["1x", "x y", "x}) DETACH DELETE n //", "", "p-0", "p0\n"])
def test_explicit_names_must_be_identifiers(name: str) -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        param(1, name=name)

    assert str(caught.value) == f"parameter name must match '[A-Za-z_][A-Za-z0-9_]*', got {name!r}"


def test_keywords_are_fine_as_parameter_names() -> None:
    # `$match` cannot be misread, so only the identifier rule applies.
    assert query().return_(param(1, name="match").as_("x")).render() == Rendered(
        "RETURN $match AS x", {"match": 1}
    )


def test_each_render_returns_fresh_parameter_containers() -> None:
    built = query().match(m).where(m.prop("id").is_in([1, 2])).return_(m)

    first, second = built.render(), built.render()

    assert first.parameters == second.parameters
    assert first.parameters["p0"] is not second.parameters["p0"]


def test_indent_prefixes_every_line() -> None:
    assert indent("MATCH (n)\nRETURN n") == "  MATCH (n)\n  RETURN n"
