"""`manage.py prepare --demo` (run by `make run`): loads the demo catalogue into an empty
database, indexes it and builds the graph; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from alerts.models import SavedSearch
from auctions.models import Auction
from graph.client import run_query
from marketplace.models import Machine, Photo, User
from marketplace.models.machines import SEARCHABLE_STATUSES
from search.client import get_client
from search.indices import MACHINES, alias_name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("machine_index", "graph_clean")]


def kept_events() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, count(*) FROM events_event GROUP BY 1")
        return dict(cursor.fetchall())


def test_prepare_demo_loads_once_and_is_idempotent() -> None:
    first = io.StringIO()
    call_command("prepare", demo=True, stdout=first)

    machines = Machine.objects.count()
    searchable = Machine.objects.filter(status__in=SEARCHABLE_STATUSES).count()
    assert machines == 3000
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    get_client().indices.refresh(index=alias_name(MACHINES))
    assert get_client().count(index=alias_name(MACHINES))["count"] == searchable
    assert run_query("MATCH (m:Machine) RETURN count(m) AS n") == [{"n": searchable}]
    # the pages alive: photos on the newest listings (their covers indexed), auctions on some
    photos, auctions = Photo.objects.count(), Auction.objects.count()
    assert Machine.objects.filter(photos__isnull=False).distinct().count() == 80
    assert auctions == 16
    covered = get_client().count(
        index=alias_name(MACHINES), body={"query": {"exists": {"field": "cover_photo"}}}
    )
    assert (
        covered["count"]
        == Machine.objects.filter(photos__isnull=False, status__in=SEARCHABLE_STATUSES).distinct().count()
    )

    # a month of buyers' searches, clicks and views for the dashboards
    events = kept_events()
    assert events["buyer_searched_machines"] > 1500
    assert events["buyer_clicked_search_result"] == events["buyer_viewed_machine"] > 1000

    # saved searches for the demo buyers, in their languages, each a search the API accepts
    saved = dict(SavedSearch.objects.values_list("name", "user__username"))
    assert len(saved) == 6
    assert saved["\u30af\u30ec\u30fc\u30f3"] == "buyer-ja-002"  # クレーン

    second = io.StringIO()
    call_command("prepare", demo=True, stdout=second)

    assert "demo catalogue already loaded" in second.getvalue()
    assert Machine.objects.count() == machines
    assert (Photo.objects.count(), Auction.objects.count()) == (photos, auctions)
    assert User.objects.filter(username="admin").count() == 1
    assert kept_events() == events
    assert SavedSearch.objects.count() == 6
