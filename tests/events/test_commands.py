"""The events' commands: ad-hoc read-only questions, and a release that changes nothing when
nothing changed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from events import producers
from events.contract import LOCK_FILE
from tests.events.conftest import sink_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("events_store")]


def test_events_query_prints_the_rows_of_a_view() -> None:
    for machine in (3, 3, 8):
        producers.buyer_viewed_machine(machine_id=machine)
    sink_all()
    out = io.StringIO()
    call_command(
        "events_query",
        "SELECT machine_id, count(*) AS views FROM events.buyer_viewed_machine GROUP BY 1 ORDER BY 1",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["machine_id", "views"]
    assert [line.split() for line in lines[2:4]] == [["3", "2"], ["8", "1"]]
    assert lines[-1] == "(2 rows)"


def test_events_query_refuses_writes_and_says_what_is_wrong_in_one_line() -> None:
    with pytest.raises(CommandError, match="read-only transaction"):
        call_command("events_query", "DELETE FROM events_event")
    with pytest.raises(CommandError, match=r'relation "events\.nothing" does not exist') as refused:
        call_command("events_query", "SELECT * FROM events.nothing")
    assert "\n" not in str(refused.value)
    with pytest.raises(CommandError, match="max-rows"):
        call_command("events_query", "SELECT 1", max_rows=0)


def test_events_query_bounds_the_rows_it_prints() -> None:
    out = io.StringIO()
    call_command("events_query", "SELECT generate_series(1, 50) AS n", max_rows=10, stdout=out)
    assert "(first 10 rows; raise --max-rows for more)" in out.getvalue()


def test_a_release_of_released_contracts_changes_nothing() -> None:
    before = LOCK_FILE.read_text()
    out = io.StringIO()
    call_command("events_release", stdout=out)
    assert out.getvalue().strip() == "released 14 contracts; changed: none"
    assert LOCK_FILE.read_text() == before
