"""graph/cypher/_functions.py: allow-listed function calls, CASE, all_of/any_of."""

from __future__ import annotations

import pytest

from graph.cypher import (
    ALLOWED_FUNCTIONS,
    FunctionCall,
    QueryStructureError,
    Rendered,
    UnknownFunctionError,
    all_of,
    any_of,
    case,
    func,
    node,
)
from tests.graph.cypher.support import render_expression

m = node("m", "Machine")
s = node("s", "Spec")


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (func.count(), "count(*)"),
        (func.count(m), "count(m)"),
        (func.count(m, distinct=True), "count(DISTINCT m)"),
        (func.collect(m.prop("name")), "collect(m.`name`)"),
        (func.collect(m.prop("name"), distinct=True), "collect(DISTINCT m.`name`)"),
        (func.min(m.prop("year")), "min(m.`year`)"),
        (func.max(m.prop("year")), "max(m.`year`)"),
        (func.avg(m.prop("hours")), "avg(m.`hours`)"),
        (func.sum(m.prop("price_eur_cents")), "sum(m.`price_eur_cents`)"),
        (func.size(func.collect(s)), "size(collect(s))"),
        (func.toInteger(m.prop("hours") / 1000), "toInteger(m.`hours` / $p0)"),
        (func.floor(m.prop("hours") / 1000), "floor(m.`hours` / $p0)"),
        (func.coalesce(m.prop("hours"), 0), "coalesce(m.`hours`, $p0)"),
        (func("date.truncate", "month", func.date()), "date.truncate($p0, date())"),
    ],
)
def test_function_calls(expression: FunctionCall, text: str) -> None:
    assert render_expression(expression).text == text


def test_function_arguments_are_parameters() -> None:
    assert render_expression(func.coalesce(m.prop("country"), "DE")) == Rendered(
        "coalesce(m.`country`, $p0)", {"p0": "DE"}
    )


def test_function_arguments_are_full_expressions_without_extra_parentheses() -> None:
    assert render_expression(func.coalesce((m.prop("year") > 1) & (m.prop("hours") < 2), False)).text == (
        "coalesce(m.`year` > $p0 AND m.`hours` < $p1, $p2)"
    )


def test_a_function_call_is_an_expression_that_takes_operators() -> None:
    assert render_expression(func.count(m) * 2 >= 10).text == "count(m) * $p0 >= $p1"


def test_a_function_outside_the_allow_list_is_refused_with_suggestions() -> None:
    with pytest.raises(UnknownFunctionError) as caught:
        func.tointeger(m.prop("hours"))

    assert (
        str(caught.value)
        == "function 'tointeger' is not on the allow-list; did you mean toInteger, toIntegerOrNull?"
    )
    assert caught.value.code == "cypher_unknown_function"


@pytest.mark.parametrize(
    "name", ["apoc.cypher.run", "count) DETACH DELETE n //", "db.labels", "", "gds.pageRank"]
)
def test_procedures_and_injection_strings_are_not_functions(name: str) -> None:
    with pytest.raises(UnknownFunctionError):
        func(name)


def test_function_call_objects_check_their_name_too() -> None:
    with pytest.raises(UnknownFunctionError):
        FunctionCall("apoc.do.it", ())


def test_distinct_is_only_for_aggregating_functions_with_one_argument() -> None:
    with pytest.raises(QueryStructureError) as not_aggregate:
        func.size(m.prop("name"), distinct=True)
    with pytest.raises(QueryStructureError) as count_star:
        func.count(distinct=True)

    assert str(not_aggregate.value) == "DISTINCT only applies to aggregating functions, not size()"
    assert str(count_star.value) == "count(DISTINCT *) is not Cypher; pass the expression to count"


def test_private_attribute_lookups_are_plain_attribute_errors() -> None:
    # copy, pickle and introspection tools probe attributes such as __deepcopy__.
    with pytest.raises(AttributeError):
        _ = func._private
    assert not hasattr(func, "__wrapped__")


def test_allow_list_holds_camel_case_cypher_names() -> None:
    assert {"count", "collect", "min", "max", "avg", "sum", "coalesce", "size", "toInteger", "floor"} <= (
        ALLOWED_FUNCTIONS
    )


def test_simple_case_compares_a_subject_with_values() -> None:
    expression = case(m.prop("status")).when("sold", 0).when("reserved", 1).else_(2)

    assert render_expression(expression) == Rendered(
        "CASE m.`status` WHEN $p0 THEN $p1 WHEN $p2 THEN $p3 ELSE $p4 END",
        {"p0": "sold", "p1": 0, "p2": "reserved", "p3": 1, "p4": 2},
    )


def test_generic_case_tests_conditions_and_may_omit_else() -> None:
    expression = case().when(m.prop("hours") > 5000, "high").when(m.prop("hours").is_null(), "unknown")

    assert render_expression(expression) == Rendered(
        "CASE WHEN m.`hours` > $p0 THEN $p1 WHEN m.`hours` IS NULL THEN $p2 END",
        {"p0": 5000, "p1": "high", "p2": "unknown"},
    )


def test_generic_case_refuses_a_python_bool_condition() -> None:
    with pytest.raises(QueryStructureError):
        case().when(m.prop("hours") == 1, "x")  # type: ignore[comparison-overlap]


def test_case_without_branches_cannot_render() -> None:
    with pytest.raises(QueryStructureError) as caught:
        render_expression(case(m.prop("status")).else_(1))

    assert str(caught.value) == "CASE needs at least one .when() branch"


def test_case_is_immutable_each_step_returns_a_new_case() -> None:
    start = case(m.prop("status"))
    with_branch = start.when("sold", 0)

    assert start.branches == ()
    assert len(with_branch.branches) == 1


def test_all_of_and_any_of_join_a_list_of_conditions() -> None:
    filters = [m.prop("year") >= 2015, m.prop("country").is_in(["DE", "AT"]), m.prop("hours") < 3000]

    assert render_expression(all_of(*filters)).text == (
        "m.`year` >= $p0 AND m.`country` IN $p1 AND m.`hours` < $p2"
    )
    assert (
        render_expression(any_of(*filters)).text == "m.`year` >= $p0 OR m.`country` IN $p1 OR m.`hours` < $p2"
    )
    assert render_expression(all_of(filters[0])).text == "m.`year` >= $p0"
    assert render_expression(all_of(any_of(*filters[:2]), filters[2])).text == (
        "(m.`year` >= $p0 OR m.`country` IN $p1) AND m.`hours` < $p2"
    )


def test_all_of_needs_a_condition() -> None:
    with pytest.raises(QueryStructureError) as caught:
        all_of()

    assert str(caught.value) == "all_of() needs at least one condition"
