"""graph/cypher/_expressions.py: operators, parentheses, parameters and coercion."""

from __future__ import annotations

import pytest

from graph.cypher import (
    Expression,
    InvalidIdentifierError,
    Param,
    PropertyKeyNotAllowedError,
    QueryStructureError,
    Rendered,
    TruthValueError,
    node,
    param,
    var,
)
from graph.cypher._expressions import (
    BinaryOperation,
    BooleanOperation,
    ListLiteral,
    MapLiteral,
    UnaryOperation,
)
from tests.graph.cypher.support import render_expression

m = node("m", "Machine")
year = m.prop("year")
hours = m.prop("hours")
negative_year = -year


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (year.eq(2015), "m.`year` = $p0"),
        (year.ne(2015), "m.`year` <> $p0"),
        (year < 2015, "m.`year` < $p0"),
        (year <= 2015, "m.`year` <= $p0"),
        (year > 2015, "m.`year` > $p0"),
        (year >= 2015, "m.`year` >= $p0"),
        (2015 < year, "m.`year` > $p0"),  # noqa: SIM300  # Python reflects the comparison
        (year.is_in([2015, 2016]), "m.`year` IN $p0"),
        (m.prop("slug").starts_with("ku"), "m.`slug` STARTS WITH $p0"),
        (m.prop("slug").ends_with("ta"), "m.`slug` ENDS WITH $p0"),
        (m.prop("slug").contains("bot"), "m.`slug` CONTAINS $p0"),
    ],
)
def test_comparisons_and_predicates_bind_the_value_as_a_parameter(expression: Expression, text: str) -> None:
    rendered = render_expression(expression)

    assert rendered.text == text
    assert len(rendered.parameters) == 1


def test_in_with_a_list_value_binds_one_list_parameter() -> None:
    assert render_expression(m.prop("slug").is_in(["kubota", "takeuchi"])) == Rendered(
        "m.`slug` IN $p0", {"p0": ["kubota", "takeuchi"]}
    )


def test_null_checks_take_no_parameter() -> None:
    assert render_expression(year.is_null()) == Rendered("m.`year` IS NULL", {})
    assert render_expression(year.is_not_null()) == Rendered("m.`year` IS NOT NULL", {})


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (year + 1, "m.`year` + $p0"),
        (year - 1, "m.`year` - $p0"),
        (year * 2, "m.`year` * $p0"),
        (year / 2, "m.`year` / $p0"),
        (year % 2, "m.`year` % $p0"),
        (year**2, "m.`year` ^ $p0"),
        (1 + year, "$p0 + m.`year`"),
        (1 - year, "$p0 - m.`year`"),
        (2 * year, "$p0 * m.`year`"),
        (2 / year, "$p0 / m.`year`"),
        (2 % year, "$p0 % m.`year`"),
        (2**year, "$p0 ^ m.`year`"),
        (-year, "-m.`year`"),
    ],
)
def test_arithmetic_operators(expression: Expression, text: str) -> None:
    assert render_expression(expression).text == text


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        # Left-associative chains need no parentheses; a right operand of the same level does.
        (year - hours - 1, "m.`year` - m.`hours` - $p0"),
        (year - (hours - 1), "m.`year` - (m.`hours` - $p0)"),
        ((year + hours) * 2, "(m.`year` + m.`hours`) * $p0"),
        (year + hours * 2, "m.`year` + m.`hours` * $p0"),
        (year / (hours * 2), "m.`year` / (m.`hours` * $p0)"),
        ((year**hours) ** 2, "m.`year` ^ m.`hours` ^ $p0"),
        (year ** (hours**2), "m.`year` ^ (m.`hours` ^ $p0)"),
        (-(year + 1), "-(m.`year` + $p0)"),
        (-negative_year, "-(-m.`year`)"),
        ((-year) ** 2, "-m.`year` ^ $p0"),
        ((year + 1) >= hours, "m.`year` + $p0 >= m.`hours`"),
        ((year < hours) < 3, "(m.`year` < m.`hours`) < $p0"),
        (year.eq(hours < 3), "m.`year` = (m.`hours` < $p0)"),
        ((year + 1).is_in(hours), "m.`year` + $p0 IN m.`hours`"),
        (year.is_in([1]).is_null(), "(m.`year` IN $p0) IS NULL"),
        (year.is_null().is_null(), "(m.`year` IS NULL) IS NULL"),
        ((year > 1).is_in([True]), "(m.`year` > $p0) IN $p1"),
        ((year + 1).prop("id"), "(m.`year` + $p0).`id`"),
        (year.prop("id"), "m.`year`.`id`"),
    ],
)
def test_parentheses_appear_exactly_where_precedence_needs_them(expression: Expression, text: str) -> None:
    assert render_expression(expression).text == text


a = year > 1
b = year < 9
c = hours.is_null()


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (a & b, "m.`year` > $p0 AND m.`year` < $p1"),
        (a | b, "m.`year` > $p0 OR m.`year` < $p1"),
        (a ^ b, "m.`year` > $p0 XOR m.`year` < $p1"),
        (~a, "NOT m.`year` > $p0"),
        (a & b & c, "m.`year` > $p0 AND m.`year` < $p1 AND m.`hours` IS NULL"),
        (a & (b & c), "m.`year` > $p0 AND m.`year` < $p1 AND m.`hours` IS NULL"),
        ((a | b) & c, "(m.`year` > $p0 OR m.`year` < $p1) AND m.`hours` IS NULL"),
        (a | (b & c), "m.`year` > $p0 OR m.`year` < $p1 AND m.`hours` IS NULL"),
        ((a & b) | c, "m.`year` > $p0 AND m.`year` < $p1 OR m.`hours` IS NULL"),
        ((a | b) ^ c, "(m.`year` > $p0 OR m.`year` < $p1) XOR m.`hours` IS NULL"),
        ((a ^ b) | c, "m.`year` > $p0 XOR m.`year` < $p1 OR m.`hours` IS NULL"),
        ((a ^ b) & c, "(m.`year` > $p0 XOR m.`year` < $p1) AND m.`hours` IS NULL"),
        (~(a & b), "NOT (m.`year` > $p0 AND m.`year` < $p1)"),
        (~(a | b), "NOT (m.`year` > $p0 OR m.`year` < $p1)"),
        (~~a, "NOT NOT m.`year` > $p0"),
        (~a & ~b, "NOT m.`year` > $p0 AND NOT m.`year` < $p1"),
        (
            ~(a & b) | (~c & a),
            "NOT (m.`year` > $p0 AND m.`year` < $p1) OR NOT m.`hours` IS NULL AND m.`year` > $p0",
        ),
    ],
)
def test_boolean_operators_nest_with_correct_parentheses(expression: Expression, text: str) -> None:
    assert render_expression(expression).text == text


def test_the_same_condition_object_used_twice_shares_its_parameters() -> None:
    # given: `a` holds one Param object, used twice below
    rendered = render_expression(a | (b & a))

    assert rendered == Rendered("m.`year` > $p0 OR m.`year` < $p1 AND m.`year` > $p0", {"p0": 1, "p1": 9})


def test_and_or_xor_flatten_only_the_same_operator() -> None:
    combined = (a & b) & (c & a)

    assert isinstance(combined, BooleanOperation)
    assert combined.operator == "AND"
    assert len(combined.operands) == 4


def test_python_equality_is_not_overloaded_and_a_bool_condition_is_refused() -> None:
    # given: `==` compares builder objects and yields a plain bool
    mistaken = year == 2015  # type: ignore[comparison-overlap]

    assert mistaken is False
    with pytest.raises(QueryStructureError) as caught:
        a & mistaken

    assert str(caught.value) == (
        "the AND operator got the Python bool False, not a Cypher expression; == and != compare "
        "builder objects in Python, build Cypher equality with .eq() and .ne()"
    )


def test_a_bool_on_the_left_of_an_operator_is_refused_too() -> None:
    with pytest.raises(QueryStructureError):
        True | a


@pytest.mark.parametrize(
    "misuse",
    [
        lambda: bool(a),
        lambda: a and b,
        lambda: not a,
        lambda: 1 < year < 3,  # Python chains this into `(1 < year) and (year < 3)`
    ],
)
def test_python_truthiness_of_an_expression_raises(misuse: object) -> None:
    with pytest.raises(TruthValueError) as caught:
        misuse()  # type: ignore[operator]

    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == (
        "a Cypher expression has no Python truth value; combine conditions with & | ^ ~ "
        "(not and/or/not), and write ranges as (low <= x) & (x < high)"
    )


def test_lists_and_maps_of_plain_values_become_one_parameter() -> None:
    assert render_expression(param([1, "two", None])) == Rendered("$p0", {"p0": [1, "two", None]})
    assert render_expression(year.eq({"a": [1, 2]})) == Rendered("m.`year` = $p0", {"p0": {"a": [1, 2]}})


def test_lists_and_maps_holding_expressions_become_literals_with_parameters_inside() -> None:
    assert render_expression(year.is_in([hours, 2015])) == Rendered(
        "m.`year` IN [m.`hours`, $p0]", {"p0": 2015}
    )
    assert render_expression(year.eq({"name": m.prop("name"), "code": "X1"})) == Rendered(
        "m.`year` = {`name`: m.`name`, `code`: $p0}", {"p0": "X1"}
    )


def test_literal_classes_can_be_built_directly() -> None:
    literal = ListLiteral((year, MapLiteral((("unit", param("h")),))))

    assert render_expression(literal) == Rendered("[m.`year`, {`unit`: $p0}]", {"p0": "h"})


def test_map_literal_keys_are_property_keys() -> None:
    with pytest.raises(PropertyKeyNotAllowedError):
        year.eq({"x}) DETACH DELETE n //": m.prop("name")})


def test_variables_and_their_properties() -> None:
    row = var("row")

    assert render_expression(row) == Rendered("row", {})
    assert render_expression(row.prop("id")) == Rendered("row.`id`", {})


def test_list_elements_take_an_expression_or_a_bound_index() -> None:
    row, i = var("row"), var("i")

    assert render_expression(row.prop("hours").at(i)) == Rendered("row.`hours`[i]", {})
    assert render_expression(row.prop("hours").at(2)) == Rendered("row.`hours`[$p0]", {"p0": 2})
    assert render_expression((row + row).at(i + 1)) == Rendered("(row + row)[i + $p0]", {"p0": 1})


@pytest.mark.parametrize("name", ["1x", "a b", "x}) DETACH DELETE n //", "", "match", "NULL"])
def test_variables_must_be_identifiers_and_not_keywords(name: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        var(name)


def test_a_node_stands_for_its_variable() -> None:
    assert render_expression(m) == Rendered("m", {})


def test_an_anonymous_node_cannot_be_used_as_an_expression() -> None:
    with pytest.raises(QueryStructureError) as caught:
        node(None, "Machine").prop("id")

    assert str(caught.value) == "this node has no variable, so it cannot be referred to"


def test_property_keys_are_checked_when_the_expression_is_built() -> None:
    with pytest.raises(PropertyKeyNotAllowedError) as caught:
        m.prop("name`) DETACH DELETE n //")

    assert str(caught.value) == (
        "property key 'name`) DETACH DELETE n //' is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)"
    )


def test_operator_classes_refuse_unknown_operators() -> None:
    with pytest.raises(QueryStructureError) as caught:
        BinaryOperation("= 1 DETACH DELETE m //", year, year)
    with pytest.raises(QueryStructureError):
        UnaryOperation("DETACH DELETE", year)
    with pytest.raises(QueryStructureError):
        BooleanOperation("OR 1=1", (year, year))

    assert str(caught.value) == "unknown operator '= 1 DETACH DELETE m //'"


def test_expressions_are_immutable_value_objects() -> None:
    first = year >= 2015
    second = year >= 2015

    with pytest.raises(AttributeError):
        first.operator = "<"  # type: ignore[misc]
    assert first.left == second.left
    assert isinstance(first.right, Param)
