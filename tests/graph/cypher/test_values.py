"""graph/cypher/_values.py: which Python values may be parameters, frozen and thawed."""

from __future__ import annotations

import datetime
import enum
from collections import OrderedDict

import pytest

from graph.cypher import UnsupportedValueError, param
from graph.cypher._values import FrozenMap, freeze, thaw


class Status(enum.StrEnum):
    PUBLISHED = "published"


class Rank(enum.IntEnum):
    FIRST = 1


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(2**63),
        2**63 - 1,
        1.5,
        float("inf"),
        "",
        "x}) DETACH DELETE n //",
        b"\x00\xff",
        datetime.date(2024, 1, 31),
        datetime.datetime(2024, 1, 31, 12, 0, tzinfo=datetime.UTC),
        datetime.time(12, 30),
        datetime.timedelta(days=2),
        [1, "a", None, [2.5]],
        {"a": {"b": [1, 2]}, "": None},
    ],
)
def test_supported_values_round_trip(value: object) -> None:
    assert thaw(freeze(value)) == value


def test_tuples_freeze_and_thaw_as_lists() -> None:
    assert thaw(freeze((1, (2, 3)))) == [1, [2, 3]]


def test_frozen_values_are_immutable_copies() -> None:
    original = {"tags": ["a"]}
    frozen = freeze(original)

    original["tags"].append("b")

    assert frozen == FrozenMap((("tags", ("a",)),))
    assert thaw(frozen) == {"tags": ["a"]}


def test_any_mapping_with_string_keys_is_a_map() -> None:
    assert thaw(freeze(OrderedDict([("b", 1), ("a", 2)]))) == {"b": 1, "a": 2}


def test_enum_members_become_their_plain_values() -> None:
    assert type(thaw(freeze(Status.PUBLISHED))) is str
    assert thaw(freeze(Status.PUBLISHED)) == "published"
    assert type(thaw(freeze(Rank.FIRST))) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**63, "integer 9223372036854775808 does not fit Neo4j's 64-bit integers"),
        (-(2**63) - 1, "integer -9223372036854775809 does not fit Neo4j's 64-bit integers"),
        ({1: "a"}, "map keys must be strings, got 1"),
        (
            [{"a": object}],
            "type cannot be a Cypher parameter; use None, bool, int, float, str, bytes, "
            "date/time/datetime/timedelta, or lists and str-keyed maps of those",
        ),
        (
            {1, 2},
            "set cannot be a Cypher parameter; use None, bool, int, float, str, bytes, "
            "date/time/datetime/timedelta, or lists and str-keyed maps of those",
        ),
    ],
)
def test_unsupported_values_are_refused_with_the_typed_error(value: object, message: str) -> None:
    with pytest.raises(UnsupportedValueError) as caught:
        param(value)  # type: ignore[arg-type]

    assert str(caught.value) == message
    assert caught.value.code == "cypher_unsupported_value"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2**63], "integer 9223372036854775808 does not fit Neo4j's 64-bit integers"),
        ([-(2**63) - 1, 0], "integer -9223372036854775809 does not fit Neo4j's 64-bit integers"),
    ],
)
def test_long_lists_of_one_kind_are_checked_like_any_other(value: object, message: str) -> None:
    with pytest.raises(UnsupportedValueError) as caught:
        freeze(value)

    assert str(caught.value) == message


def test_lists_of_one_scalar_kind_freeze_to_equal_tuples_and_thaw_to_fresh_lists() -> None:
    for values in ([3, 1, 2] * 1000, ["JP", "DE"], [0.5, 1.5], [], [Rank.FIRST, 2], [Status.PUBLISHED, "x"]):
        frozen = freeze(values)

        assert isinstance(frozen, tuple)
        assert frozen == tuple(values)
        assert all(type(item) in (int, str, float) for item in frozen)  # enum members made plain
        thawed = thaw(frozen)
        assert thawed == list(values)
        assert thawed is not values


def test_maps_of_one_scalar_kind_freeze_in_one_pass_and_still_refuse_what_does_not_fit() -> None:
    counts = {f"cohort-{n}": n for n in range(2000)}

    frozen = freeze(counts)

    assert isinstance(frozen, FrozenMap)
    assert thaw(frozen) == counts
    assert thaw(freeze({"a": Rank.FIRST})) == {"a": 1}
    assert type(thaw(freeze({"a": Rank.FIRST}))["a"]) is int
    with pytest.raises(UnsupportedValueError, match="does not fit"):
        freeze({"a": 1, "b": 2**63})
    with pytest.raises(UnsupportedValueError, match="map keys must be strings"):
        freeze({1: 1})


@pytest.mark.parametrize("value", [bytearray(b"x"), range(3), object(), 1 + 2j])
def test_mutable_or_unknown_types_are_refused(value: object) -> None:
    with pytest.raises(UnsupportedValueError):
        freeze(value)
