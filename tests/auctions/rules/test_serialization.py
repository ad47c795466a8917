"""States, terms and events round-trip through plain JSON-compatible dicts."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from typing import Any

import pytest

from auctions.rules import (
    AuctionKind,
    AuctionState,
    Closed,
    InvalidStateError,
    NaiveDatetimeError,
    RulesError,
    close,
    event_from_dict,
)
from tests.auctions.rules.builders import ENDS_AT, STARTS_AT, bid, eur, make_state, make_terms, with_bids


def busy_state() -> AuctionState:
    state = with_bids(
        make_state(reserve=eur(400)),
        bid("ann", 100, 300),
        bid("ben", 110, 600),
        bid("ben", 620, 900),
        bid("cat", 800),
        now=ENDS_AT - timedelta(seconds=30),
    )
    outcome = close(state, ENDS_AT + timedelta(hours=1))
    assert isinstance(outcome, Closed)
    return outcome.state


def through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


def test_a_busy_closed_state_round_trips_through_json() -> None:
    state = busy_state()

    restored = AuctionState.from_dict(through_json(state.to_dict()))

    assert restored == state
    assert restored.to_dict() == state.to_dict()


def test_a_fresh_sudden_death_state_round_trips() -> None:
    state = make_state(kind=AuctionKind.SUDDEN_DEATH)

    assert AuctionState.from_dict(through_json(state.to_dict())) == state


def test_the_dict_layout_is_stable() -> None:
    state = with_bids(make_state(), bid("ann", 100, 300, key="k-1"))

    assert state.to_dict() == {
        "format": 1,
        "terms": {
            "auction_id": "lot-1",
            "kind": "soft_close",
            "currency": "EUR",
            "starting_price": {"amount": 100, "currency": "EUR"},
            "reserve": None,
            "increments": [[0, 10], [1000, 50], [5000, 100]],
            "starts_at": "2030-06-03T09:00:00+00:00",
            "ends_at": "2030-06-03T10:00:00+00:00",
            "soft_close_seconds": 120,
        },
        "ends_at": "2030-06-03T10:00:00+00:00",
        "price": {"amount": 100, "currency": "EUR"},
        "leader_id": "ann",
        "leader_max": {"amount": 300, "currency": "EUR"},
        "last_seq": 1,
        "accepted": [
            {
                "idempotency_key": "k-1",
                "bidder_id": "ann",
                "amount": {"amount": 100, "currency": "EUR"},
                "max_amount": {"amount": 300, "currency": "EUR"},
                "placed_at": "2030-06-03T09:10:00+00:00",
                "events": [
                    {
                        "type": "bid",
                        "seq": 1,
                        "at": "2030-06-03T09:10:00+00:00",
                        "bidder_id": "ann",
                        "amount": {"amount": 100, "currency": "EUR"},
                        "automatic": False,
                    }
                ],
            }
        ],
        "closing": None,
    }


def test_equal_instants_in_other_zones_serialise_identically() -> None:
    tokyo = timezone(timedelta(hours=9))
    local = make_terms(starts_at=STARTS_AT.astimezone(tokyo), ends_at=ENDS_AT.astimezone(tokyo))

    assert local.to_dict() == make_terms().to_dict()


def test_every_event_round_trips() -> None:
    for event in busy_state().events:
        assert event_from_dict(through_json(event.to_dict())) == event


def test_the_closed_event_carries_the_winner() -> None:
    closing = busy_state().closing
    assert closing is not None

    assert closing.to_dict()["result"] == {
        "high_bidder_id": "ben",
        "final_price": {"amount": 810, "currency": "EUR"},
        "reserve_met": True,
        "winner_id": "ben",
    }


def broken(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = through_json(busy_state().to_dict())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("format",), 2),
        (("format",), KeyError),
        (("last_seq",), "7"),
        (("last_seq",), -1),
        (("ends_at",), "yesterday"),
        (("price",), {"amount": 810}),
        (("price",), {"amount": 810, "currency": "USD"}),
        (("leader_id",), None),
        (("leader_max",), {"amount": 10, "currency": "EUR"}),
        (("accepted",), {"a": 1}),
        (("accepted",), ["not a bid"]),
        (("closing",), {"type": "bid"}),
        (("terms", "kind"), "dutch"),
        (("terms", "increments"), [[0, 10, 5]]),
        (("terms", "increments"), "0:10"),
        (("terms", "currency"), "XYZ"),
    ],
)
def test_a_damaged_dict_raises_a_rules_error(path: tuple[str, ...], value: Any) -> None:
    with pytest.raises(RulesError):
        AuctionState.from_dict(broken(path, value))


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(InvalidStateError):
        AuctionState.from_dict([])


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(InvalidStateError):
        event_from_dict({"type": "hammer", "seq": 1})


def test_a_naive_time_in_a_dict_is_refused() -> None:
    data = through_json(make_state().to_dict())
    data["ends_at"] = "2030-06-03T10:00:00"

    with pytest.raises(NaiveDatetimeError):
        AuctionState.from_dict(data)
