"""graph/cypher/_schema.py: identifiers, reserved words and the Schema allow-list."""

from __future__ import annotations

import pytest

from graph.cypher import (
    RESERVED_WORDS,
    InvalidIdentifierError,
    LabelNotAllowedError,
    MissingSchemaError,
    PropertyKeyNotAllowedError,
    Query,
    RelationshipTypeNotAllowedError,
    Schema,
    SchemaError,
    node,
)
from graph.cypher._schema import check_identifier, check_variable, quote
from tests.graph.cypher.support import CATALOGUE_SCHEMA


def test_strict_schema_quotes_the_names_it_allows() -> None:
    # given / when / then
    assert CATALOGUE_SCHEMA.quote_label("Machine") == "`Machine`"
    assert CATALOGUE_SCHEMA.quote_relationship_type("HAS_SPEC") == "`HAS_SPEC`"
    assert CATALOGUE_SCHEMA.quote_property_key("price_eur_cents") == "`price_eur_cents`"


def test_strict_schema_refuses_a_label_it_does_not_list_and_names_the_allowed_ones() -> None:
    schema = Schema(labels={"Machine", "Maker"})

    with pytest.raises(LabelNotAllowedError) as caught:
        schema.quote_label("User")

    assert str(caught.value) == "label 'User' is not in the schema (allowed: Machine, Maker)"
    assert caught.value.code == "cypher_label_not_allowed"


def test_strict_schema_keeps_the_three_kinds_of_names_apart() -> None:
    # given: "Machine" is a label, not a relationship type or a key
    with pytest.raises(RelationshipTypeNotAllowedError) as type_error:
        CATALOGUE_SCHEMA.quote_relationship_type("Machine")
    with pytest.raises(PropertyKeyNotAllowedError) as key_error:
        CATALOGUE_SCHEMA.quote_property_key("Machine")
    with pytest.raises(LabelNotAllowedError):
        CATALOGUE_SCHEMA.quote_label("HAS_SPEC")

    assert str(type_error.value).startswith("relationship type 'Machine' is not in the schema (allowed: ")
    assert str(key_error.value).startswith(
        "property key 'Machine' is not in the schema (allowed: code, country"
    )


def test_an_empty_schema_says_that_nothing_is_allowed() -> None:
    with pytest.raises(PropertyKeyNotAllowedError) as caught:
        Schema().quote_property_key("id")

    assert str(caught.value) == "property key 'id' is not in the schema (allowed: none)"


def test_permissive_schema_allows_any_plain_identifier() -> None:
    schema = Schema(permissive=True)

    assert schema.quote_label("AnyLabel_1") == "`AnyLabel_1`"
    assert schema.quote_relationship_type("_T") == "`_T`"
    assert schema.quote_property_key("camelCase") == "`camelCase`"


@pytest.mark.parametrize(
    "name", ["x}) DETACH DELETE n //", "a`b", "", "1abc", "naïve", "id\n", " id", "a-b", "a b"]
)
def test_permissive_schema_still_refuses_names_that_are_not_plain_identifiers(name: str) -> None:
    schema = Schema(permissive=True)

    with pytest.raises(LabelNotAllowedError) as caught:
        schema.quote_label(name)

    assert str(caught.value) == f"label {name!r} is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)"


def test_a_trailing_newline_is_not_mistaken_for_the_end_of_an_identifier() -> None:
    # `$` in a regular expression matches before a final newline; the check must not.
    with pytest.raises(InvalidIdentifierError):
        check_identifier("n\n", "variable")


def test_non_string_names_are_refused_with_the_typed_error() -> None:
    with pytest.raises(PropertyKeyNotAllowedError):
        CATALOGUE_SCHEMA.quote_property_key(42)
    with pytest.raises(InvalidIdentifierError):
        check_identifier(None, "variable")


def test_extended_returns_a_new_schema_and_leaves_the_original_unchanged() -> None:
    extended = CATALOGUE_SCHEMA.extended(labels=["Seller"], property_keys=["email"])

    assert extended.quote_label("Seller") == "`Seller`"
    assert extended.quote_property_key("email") == "`email`"
    assert extended.quote_label("Machine") == "`Machine`"
    with pytest.raises(LabelNotAllowedError):
        CATALOGUE_SCHEMA.quote_label("Seller")


def test_schema_entries_must_be_identifiers() -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        Schema(labels=["Machine", "Bad Label"])

    assert str(caught.value) == "label must match '[A-Za-z_][A-Za-z0-9_]*', got 'Bad Label'"


def test_a_single_string_is_not_taken_for_a_list_of_one_letter_names() -> None:
    with pytest.raises(SchemaError) as caught:
        Schema(labels="Machine")

    assert str(caught.value) == "labels must be an iterable of names, not one string 'Machine'"


def test_schemas_with_the_same_names_are_equal_and_immutable() -> None:
    first = Schema(labels=["A", "B"])
    second = Schema(labels=("B", "A"))

    assert first == second
    assert hash(first) == hash(second)
    with pytest.raises(AttributeError):
        first.labels = frozenset()  # type: ignore[misc]


@pytest.mark.parametrize(
    "word", ["match", "MATCH", "Return", "null", "true", "NaN", "Infinity", "count", "with"]
)
def test_keywords_cannot_be_variables(word: str) -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        check_variable(word)

    assert str(caught.value) == f"variable {word!r} is a Cypher keyword; choose another name"


def test_reserved_words_are_lower_case_for_a_case_insensitive_check() -> None:
    assert all(word == word.lower() for word in RESERVED_WORDS)
    assert {"match", "nan", "inf", "infinity", "xor"} <= RESERVED_WORDS


def test_quote_doubles_backticks() -> None:
    assert quote("a`b") == "`a``b`"


def test_rendering_without_any_schema_is_refused() -> None:
    query = Query().match(node("m", "Machine")).return_("m")

    with pytest.raises(MissingSchemaError) as caught:
        query.render()

    assert str(caught.value) == "no Schema: build with Query(schema=...) or call render(schema=...)"


def test_a_schema_given_to_render_is_used_when_the_query_has_none() -> None:
    query = Query().match(node("m", "Machine")).return_("m")

    assert query.render(CATALOGUE_SCHEMA).text == "MATCH (m:`Machine`)\nRETURN m"


def test_names_are_checked_against_the_schema_given_to_render() -> None:
    query = Query(schema=Schema(permissive=True)).match(node("m", "User")).return_("m")

    assert query.render().text == "MATCH (m:`User`)\nRETURN m"
    with pytest.raises(LabelNotAllowedError):
        query.render(CATALOGUE_SCHEMA)
