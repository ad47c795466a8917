"""The search index follows PostgreSQL through the outbox: only committed changes, every kind
of change, and nothing lost while the engine is stopped."""

from __future__ import annotations

import io
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from PIL import Image

from core.money import Money
from marketplace import services
from marketplace.models import Category, Machine, MachineModel, Maker, OutboxEvent
from marketplace.outbox import drain, pending_count
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.conftest import manage_py_process
from tests.factories import CategoryFactory, MachineFactory, SellerFactory, model_with_specs

ROOT = Path(__file__).resolve().parents[2]


def indexed(machine_id: int) -> dict[str, Any] | None:
    client = get_client()
    client.indices.refresh(index=alias_name(MACHINES))
    response = client.get(index=alias_name(MACHINES), id=machine_id, ignore=[404])
    return response["_source"] if response.get("found") else None


def new_listing(seller: Any, **overrides: Any) -> Machine:
    fields: dict[str, Any] = {
        "model_id": model_with_specs().pk,
        "year": 2018,
        "hours": 3000,
        "country": "JP",
        "price": Money(9_000_000, "JPY"),
        "title": {"en": "Excavator for sale", "ja": "油圧ショベル"},
    }
    return services.machine_create(seller=seller, **{**fields, **overrides})


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_each_kind_of_change_reaches_the_index() -> None:
    seller = SellerFactory.create()
    machine = new_listing(seller)

    drain("search", apply_changes)
    assert indexed(machine.pk) is None  # a draft is not searchable

    services.machine_publish(actor=seller, machine_id=machine.pk)
    drain("search", apply_changes)
    document = indexed(machine.pk)
    assert document is not None
    assert document["title"] == {"en": "Excavator for sale", "ja": "油圧ショベル"}
    assert document["status"] == "published"

    services.machine_update(
        actor=seller, machine_id=machine.pk, hours=3100, title={"en": "Excavator, serviced"}
    )
    drain("search", apply_changes)
    assert indexed(machine.pk)["hours"] == 3100  # type: ignore[index]
    assert indexed(machine.pk)["title"] == {"en": "Excavator, serviced"}  # type: ignore[index]

    services.machine_unpublish(actor=seller, machine_id=machine.pk)
    drain("search", apply_changes)
    assert indexed(machine.pk) is None

    services.machine_publish(actor=seller, machine_id=machine.pk)
    services.machine_mark_sold(actor=seller, machine_id=machine.pk)
    drain("search", apply_changes)
    assert indexed(machine.pk) is None
    assert pending_count("search") == 0


def jpeg(colour: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_the_cover_is_the_first_photos_thumbnail_and_follows_a_deleted_cover() -> None:
    seller = SellerFactory.create()
    machine = new_listing(seller)
    services.machine_publish(actor=seller, machine_id=machine.pk)
    drain("search", apply_changes)
    assert indexed(machine.pk)["cover_photo"] is None  # type: ignore[index]

    photos = [
        services.photo_add(actor=seller, machine_id=machine.pk, upload=jpeg(colour), size=10_000)
        for colour in ("red", "green", "blue")
    ]
    drain("search", apply_changes)
    assert indexed(machine.pk)["cover_photo"] == photos[0].thumbnail.url  # type: ignore[index]

    services.photo_delete(actor=seller, machine_id=machine.pk, photo_id=photos[0].pk)
    drain("search", apply_changes)
    assert indexed(machine.pk)["cover_photo"] == photos[1].thumbnail.url  # type: ignore[index]
    assert photos[1].thumbnail.url != photos[1].image.url


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_taxonomy_changes_rewrite_every_document_that_shows_them() -> None:
    parent = CategoryFactory.create(slug="excavators", names={"en": "Excavators"})
    child = CategoryFactory.create(slug="mini-excavators", parent=parent, names={"en": "Mini excavators"})
    shown = MachineFactory.create(
        model=model_with_specs(category=child, maker__slug="kubota", maker__name="Kubota")
    )
    elsewhere = MachineFactory.create(model=model_with_specs(category=CategoryFactory.create(slug="cranes")))
    apply_changes({"machine": {shown.pk, elsewhere.pk}})
    untouched = indexed(elsewhere.pk)

    Maker.objects.filter(pk=shown.model.maker_id).update(name="Kubota Corporation")
    apply_changes({"maker": {shown.model.maker_id}})
    assert indexed(shown.pk)["maker"]["name"] == "Kubota Corporation"  # type: ignore[index]

    # a parent category renamed: listings of its subcategories show its new name and path
    Category.objects.filter(pk=parent.pk).update(slug="diggers", path="diggers", names={"en": "Diggers"})
    Category.objects.filter(pk=child.pk).update(path="diggers/mini-excavators")
    apply_changes({"category": {parent.pk}})
    document = indexed(shown.pk)
    assert document is not None
    assert document["category"]["path"] == ["diggers", "mini-excavators"]
    assert document["category"]["names"]["en"] == "Mini excavators Diggers"
    assert indexed(elsewhere.pk) == untouched

    MachineModel.objects.filter(pk=shown.model_id).update(model_number="U27-4R")
    apply_changes({"model": {shown.model_id}, "spec": {1}})
    assert indexed(shown.pk)["model_number"] == "U27-4R"  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_a_rolled_back_write_leaves_nothing_to_index() -> None:
    seller = SellerFactory.create()

    def failing_request() -> None:
        with transaction.atomic():
            machine = new_listing(seller)
            services.machine_publish(actor=seller, machine_id=machine.pk)
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        failing_request()

    assert OutboxEvent.objects.count() == 0
    assert drain("search", apply_changes).processed == 0
    assert get_client().count(index=alias_name(MACHINES))["count"] == 0


def stack(*args: str) -> None:
    subprocess.run([str(ROOT / "ops" / "stack.sh"), *args], check=True, timeout=180, capture_output=True)


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_writes_succeed_while_the_engine_is_stopped_and_the_index_catches_up() -> None:
    seller = SellerFactory.create()
    stack("stop", "opensearch")
    try:
        # writes commit in PostgreSQL while the engine is down
        machines = [new_listing(seller, title={"en": f"Loader {n}"}) for n in range(3)]
        for machine in machines:
            services.machine_publish(actor=seller, machine_id=machine.pk)

        result = drain("search", apply_changes)

        assert result.failed
        assert Machine.objects.filter(status="published").count() == 3
        assert pending_count("search") == 6
        assert set(OutboxEvent.objects.filter(topic="search").values_list("attempts", flat=True)) == {1}
    finally:
        stack("start", "opensearch")

    result = drain("search", apply_changes)

    assert not result.failed
    assert result.processed == 6
    assert [(indexed(machine.pk) or {})["title"]["en"] for machine in machines] == [
        "Loader 0",
        "Loader 1",
        "Loader 2",
    ]  # type: ignore[index]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("machine_index")
def test_the_worker_process_indexes_committed_changes() -> None:
    worker = manage_py_process("outbox_worker", "--topic", "search", "--poll-seconds", "30")
    try:
        seller = SellerFactory.create()
        machine = new_listing(seller)
        services.machine_publish(actor=seller, machine_id=machine.pk)

        # the commit's NOTIFY wakes the worker long before its 30 s poll
        deadline = time.monotonic() + 15
        while indexed(machine.pk) is None:
            assert time.monotonic() < deadline, "the worker did not index the committed listing"
            assert worker.poll() is None, worker.stdout.read()  # type: ignore[union-attr]
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)

    assert worker.returncode == 0, output
    assert "outbox worker stopped" in output


@pytest.mark.django_db
@pytest.mark.usefixtures("machine_index")
def test_a_title_with_control_characters_is_indexed_and_completes_without_them() -> None:
    # the completion field refuses some control characters (its own separators): such a title,
    # which the API takes, once failed the listing's indexing and every reindex
    machine = MachineFactory.create(
        model=model_with_specs(), title={"en": "Grader\x1d\x1e\x1f with ripper", "ja": "\x1fグレーダー"}
    )

    apply_changes({"machine": {machine.pk}})

    document = indexed(machine.pk)
    assert document is not None
    assert document["title"]["en"] == "Grader\x1d\x1e\x1f with ripper"
    inputs = [text for entry in document["suggest"] for text in entry["input"]]
    assert "Grader with ripper" in inputs
    assert "グレーダー" in inputs
    assert not any(ord(c) < 32 for text in inputs for c in text)
