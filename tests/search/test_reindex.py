"""search_reindex fills a new index and swaps the alias atomically: queries never see a
half-built index, and changes made during the rebuild reach the new index."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command

from marketplace import services
from marketplace.models import MachineStatus
from marketplace.outbox import drain
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.reindex import reindex_machines
from search.sync import apply_changes
from tests.factories import MachineFactory, SellerFactory, model_with_specs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("machine_index")]


def published_machines(count: int) -> list[Any]:
    model = model_with_specs()
    seller = SellerFactory.create()
    return [
        MachineFactory.create(model=model, seller=seller, title={"en": f"Excavator {n}"})
        for n in range(count)
    ]


def alias_targets() -> list[str]:
    return sorted(get_client().indices.get_alias(name=alias_name(MACHINES)).keys())


def test_reindex_swaps_the_alias_to_a_complete_new_index() -> None:
    machines = published_machines(30)
    MachineFactory.create(model=machines[0].model, status=MachineStatus.DRAFT)  # not searchable
    before = alias_targets()

    call_command("search_reindex", "--batch-size", "7", verbosity=0)

    after = alias_targets()
    assert len(after) == 1
    assert after != before
    assert not get_client().indices.exists(index=before[0])  # the old index is gone
    assert get_client().count(index=alias_name(MACHINES))["count"] == 30


def test_queries_during_a_reindex_always_see_a_whole_index() -> None:
    machines = published_machines(40)
    apply_changes({"machine": {m.pk for m in machines}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    old_index = alias_targets()[0]
    samples: list[tuple[str, int]] = []  # (the index that answered, how many it counted)
    errors: list[BaseException] = []
    answered_by: dict[str, threading.Event] = {}
    stop = threading.Event()

    def query_continuously() -> None:
        client = get_client()
        body = {"size": 1, "track_total_hits": True, "query": {"match_all": {}}}
        while not stop.is_set():
            try:
                hits = client.search(index=alias_name(MACHINES), body=body)["hits"]
            except Exception as error:  # any failure is a downtime
                errors.append(error)
                continue
            index = hits["hits"][0]["_index"] if hits["hits"] else ""
            samples.append((index, hits["total"]["value"]))
            answered_by.setdefault(index, threading.Event()).set()

    def answered(index: str) -> threading.Event:
        return answered_by.setdefault(index, threading.Event())

    reader = threading.Thread(target=query_continuously)
    reader.start()
    try:
        # Sync points, not a sampling rate: the reader has been answered by the old index
        # before the rebuild starts and by the new one before it stops, so its queries span the
        # swap, and a query is made while the new index is half filled (each batch copied).
        assert answered(old_index).wait(timeout=30)
        during: list[int] = []
        result = reindex_machines(
            batch_size=5,
            on_progress=lambda done, total: during.append(
                get_client().count(index=alias_name(MACHINES))["count"]
            ),
        )
        assert answered(result.index).wait(timeout=30)
    finally:
        stop.set()
        reader.join(timeout=30)

    assert result.documents == 40
    assert errors == []
    assert during
    assert set(during) == {40}
    assert {index for index, _ in samples} == {old_index, result.index}
    assert {count for _, count in samples} == {40}


def test_a_change_committed_during_the_rebuild_reaches_the_new_index() -> None:
    machines = published_machines(20)
    target = machines[3]
    changed = False

    def edit_mid_rebuild(done: int, total: int) -> None:
        nonlocal changed
        if not changed:  # after the first batch is copied, a seller edits an already-copied listing
            services.machine_update(
                actor=target.seller, machine_id=target.pk, title={"en": "Edited mid-rebuild"}
            )
            changed = True

    result = reindex_machines(batch_size=5, on_progress=edit_mid_rebuild)
    assert result.replayed_events >= 1

    drain("search", apply_changes)
    get_client().indices.refresh(index=alias_name(MACHINES))
    document = get_client().get(index=alias_name(MACHINES), id=target.pk)["_source"]
    assert document["title"] == {"en": "Edited mid-rebuild"}


def test_prepare_rebuilds_an_index_built_from_another_definition_and_then_leaves_it() -> None:
    """`manage.py prepare` (make run) finds an index whose analysis or fields the code has
    since changed, and indexes the listings again into one that has them; not twice."""
    from core.prepare import STEPS

    published_machines(5)
    apply_changes({"machine": set(MachineFactory._meta.model.objects.values_list("pk", flat=True))})
    old = alias_targets()
    # as an index built by an earlier release: its recorded definition is not the code's
    get_client().indices.put_mapping(index=old[0], body={"_meta": {"definition": "an-older-one"}})

    said = STEPS["search indices"]()

    assert "rebuilt for a changed definition (5 documents)" in said
    rebuilt = alias_targets()
    assert rebuilt != old
    assert not get_client().indices.exists(index=old[0])
    assert get_client().count(index=alias_name(MACHINES))["count"] == 5
    properties = get_client().indices.get_mapping(index=rebuilt[0])[rebuilt[0]]["mappings"]["properties"]
    assert "series" in properties["model_number"]["fields"]  # the code's fields

    assert "rebuilt" not in STEPS["search indices"]()
    assert alias_targets() == rebuilt
