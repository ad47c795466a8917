"""The checks before merge: names, documentation, compatibility with the released contracts,
producers generated fresh, and the producers' own check agreeing with JSON Schema."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from events.check import problems
from events.codegen import CATALOGUE_FILE, PRODUCERS_FILE, render, render_catalogue
from events.contract import (
    CONTRACTS_DIR,
    Contract,
    compatibility_problems,
    contract_problems,
    load_contracts,
    lock_of,
    parse_contract,
    read_lock,
)
from events.emit import as_json

CONTRACTS = load_contracts()


def document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTRACTS_DIR / f"{name}.json").read_text())
    return loaded


def changed(name: str, change: Any) -> dict[str, Contract]:
    """Every contract, with `change` applied to a copy of one's document."""
    edited = copy.deepcopy(document(name))
    change(edited)
    edited["required"] = list(edited["properties"])
    return {**CONTRACTS, name: parse_contract(edited)}


def test_the_checked_in_contracts_pass_every_check() -> None:
    assert len(CONTRACTS) >= 14
    assert problems(CONTRACTS, read_lock(), PRODUCERS_FILE.read_text()) == []


def test_the_producers_are_what_the_contracts_generate() -> None:
    assert PRODUCERS_FILE.read_text() == render(CONTRACTS)


def test_the_catalogue_page_is_what_the_contracts_generate() -> None:
    assert CATALOGUE_FILE.read_text() == render_catalogue(CONTRACTS)
    stale = CATALOGUE_FILE.read_text().replace("| 1 | `auction_id` |", "| 1 | `auction` |", 1)
    assert (
        "docs/events.md is not what the contracts generate"
        in problems(CONTRACTS, read_lock(), PRODUCERS_FILE.read_text(), stale)[-1]
    )


def test_the_lock_file_holds_every_contract_as_released() -> None:
    assert read_lock() == lock_of(CONTRACTS.values())


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("visitor_placed_bid", None),
        ("bidder_placed_bid", "'bidder' is not a known actor"),
        ("buyer_place_bid", "'place' is not a past-tense action"),
        ("buyer_won_auction", None),
        ("BuyerPlacedBid", "actor_action_object"),
    ],
)
def test_names_are_actor_action_object_in_the_past_tense(name: str, complaint: str | None) -> None:
    edited = {**document("buyer_placed_bid"), "title": name}
    found = contract_problems(parse_contract(edited))
    if complaint is None:
        assert found == []
    else:
        assert any(complaint in problem for problem in found), found


def test_every_field_and_event_is_documented_and_owned() -> None:
    edited = copy.deepcopy(document("buyer_viewed_machine"))
    edited["properties"]["position"]["description"] = " "
    edited["x-owner"] = "marketing"
    found = contract_problems(parse_contract(edited))
    assert "buyer_viewed_machine.position: no description" in found
    assert any("x-owner" in problem for problem in found)


def test_a_removed_field_breaks_compatibility() -> None:
    contracts = changed("buyer_placed_bid", lambda d: d["properties"].pop("proxy"))
    found = compatibility_problems(contracts, read_lock())
    assert found[0] == "buyer_placed_bid.proxy: removed (a breaking change needs version 2)"
    assert "buyer_placed_bid.accepted: renumbered from 6 to 5 (new fields go last)" in found


def test_a_retyped_field_breaks_compatibility() -> None:
    def retype(d: dict[str, Any]) -> None:
        d["properties"]["auction_id"] = {"type": "string", "maxLength": 20, "description": "The auction."}

    found = compatibility_problems(changed("buyer_placed_bid", retype), read_lock())
    assert found == ["buyer_placed_bid.auction_id: retyped from integer to string (needs a new version)"]


def test_a_field_made_nullable_is_a_retype_too() -> None:
    def nullable(d: dict[str, Any]) -> None:
        d["properties"]["machine_id"]["type"] = ["integer", "null"]

    assert compatibility_problems(changed("buyer_viewed_machine", nullable), read_lock()) == [
        "buyer_viewed_machine.machine_id: retyped from integer to integer or null (needs a new version)"
    ]


def test_reordered_fields_are_renumbered_fields() -> None:
    def swap(d: dict[str, Any]) -> None:
        items = list(d["properties"].items())
        items[0], items[1] = items[1], items[0]
        d["properties"] = dict(items)

    found = compatibility_problems(changed("buyer_placed_bid", swap), read_lock())
    assert "buyer_placed_bid.auction_id: renumbered from 1 to 2 (new fields go last)" in found


def test_a_new_field_within_a_version_must_be_nullable_and_may_be() -> None:
    def add(kind: Any) -> Any:
        def change(d: dict[str, Any]) -> None:
            d["properties"]["referrer"] = {"type": kind, "maxLength": 200, "description": "Where from."}

        return change

    assert compatibility_problems(changed("buyer_viewed_machine", add(["string", "null"])), read_lock()) == []
    assert compatibility_problems(changed("buyer_viewed_machine", add("string")), read_lock()) == [
        "buyer_viewed_machine.referrer: a field added within a version must be nullable (older events lack it)"
    ]


def test_a_breaking_change_passes_as_a_new_version_and_never_goes_back() -> None:
    def break_it(d: dict[str, Any]) -> None:
        d["properties"].pop("proxy")
        d["x-version"] = 2

    assert compatibility_problems(changed("buyer_placed_bid", break_it), read_lock()) == []
    lower = changed("buyer_placed_bid", lambda d: d.update({"x-version": 2}))
    lock = lock_of(lower.values())
    assert compatibility_problems(CONTRACTS, lock) == ["buyer_placed_bid: version 1 is below the released 2"]


def test_a_released_event_cannot_disappear() -> None:
    remaining = {name: contract for name, contract in CONTRACTS.items() if name != "auction_extended"}
    assert compatibility_problems(remaining, read_lock()) == [
        "auction_extended: removed, but released (its rows and consumers still exist)"
    ]


def test_stale_producers_fail_the_check() -> None:
    stale = PRODUCERS_FILE.read_text().replace("proxy: bool,", "proxy: bool | None = None,")
    assert problems(CONTRACTS, read_lock(), stale) == [
        "events/producers.py is not what the contracts generate: run `python -m events.codegen`"
    ]


# ------------------------------------------------------------------ the producers' check


def _registry() -> Registry[Any]:
    resource = Resource.from_contents(json.loads((CONTRACTS_DIR / "_defs.json").read_text()))
    return Registry().with_resource("https://marketplace.example/events/_defs.json", resource)


REGISTRY = _registry()
VALIDATORS = {
    name: jsonschema.Draft202012Validator(
        document(name), registry=REGISTRY, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for name in CONTRACTS
}

money = st.fixed_dictionaries(
    {
        "amount": st.sampled_from(["12.50", "0", "-3", "1e5", "", "12,5"]) | st.integers(),
        "currency": st.sampled_from(["EUR", "JPY", "eur", "EURO"]),
        "minor": st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.booleans(),
    }
)
anything = (
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=250)
)
values = (
    anything
    | money
    | st.lists(st.integers(-5, 2**63) | st.text(max_size=3), max_size=105)
    | st.dictionaries(
        st.text(max_size=5) | st.text(min_size=95, max_size=105),
        st.text(max_size=205) | st.integers(),
        max_size=65,
    )
    | st.sampled_from(["sold", "no_bids", "page", "api", "2026-12-07T10:00:00Z", "2026-02-30T10:00:00Z"])
    | st.sampled_from(
        ["2026-12-07 10:00:00+00:00", "2026-12-07T10:00:00", "0192b6a2-6d1e-7c3a-8d4e-6f1a2b3c4d5e"]
    )
    | st.sampled_from(["0192b6a26d1e7c3a8d4e6f1a2b3c4d5e", "{0192b6a2-6d1e-7c3a-8d4e-6f1a2b3c4d5e}"])
)


def valid_value(data: st.DataObject, item: Any) -> Any:
    schema = item.schema
    if item.nullable and data.draw(st.booleans()):
        return None
    return data.draw(
        {
            "integer": st.integers(schema.get("minimum", -(2**63)), schema.get("maximum", 2**63)),
            "number": st.floats(schema.get("minimum", -1e9), schema.get("maximum", 1e9)),
            "boolean": st.booleans(),
            "string": st.text(max_size=schema.get("maxLength", 0)),
            "enum": st.sampled_from(schema.get("enum", [""])),
            "uuid": st.uuids().map(str),
            "datetime": st.datetimes(
                min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones()
            ).map(as_json),
            "money": st.builds(
                lambda minor: {"amount": f"{minor / 100:.2f}", "currency": "EUR", "minor": minor},
                st.integers(-(10**12), 10**12),
            ),
            "integer_list": st.lists(st.integers(1, 2**63 - 1), max_size=schema.get("maxItems", 0)),
            "string_map": st.dictionaries(
                st.text(max_size=10), st.text(max_size=200), max_size=schema.get("maxProperties", 0)
            ),
        }[item.kind]
    )


def integral_float_for_an_integer(item: Any, value: Any) -> bool:
    """JSON Schema counts 1.0 as an integer; the producers refuse it (the views cast integers
    with ::bigint, which refuses "1.0"): the one place the producers' check is stricter."""
    integral = isinstance(value, float) and value.is_integer()
    if item.kind == "integer":
        return integral
    if item.kind == "integer_list" and isinstance(value, list):
        return any(isinstance(v, float) and v.is_integer() for v in value)
    if item.kind == "money" and isinstance(value, dict):
        return isinstance(value.get("minor"), float) and value["minor"].is_integer()
    return False


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_producers_check_agrees_with_json_schema(data: st.DataObject) -> None:
    """A valid payload with at most one field replaced by anything (or removed, or an unknown
    field added): the producers' check and a JSON Schema validator say the same."""
    name = data.draw(st.sampled_from(sorted(CONTRACTS)))
    contract = CONTRACTS[name]
    payload = {item.name: valid_value(data, item) for item in contract.fields}
    assert contract.problems(payload) == []
    assert VALIDATORS[name].is_valid(payload)
    item = data.draw(st.sampled_from(contract.fields))
    change = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if change == "remove":
        payload.pop(item.name)
    elif change == "add":
        payload["unknown_field"] = 1
    else:
        payload[item.name] = data.draw(values | st.floats(-10, 10).map(float))
    expected = VALIDATORS[name].is_valid(payload)
    if change == "replace" and integral_float_for_an_integer(item, payload[item.name]):
        expected = False
    assert (contract.problems(payload) == []) == expected, payload
