"""The graph follows PostgreSQL through the outbox: every kind of listing change, effective
specs, taxonomy links, a full rebuild, and nothing lost while Neo4j is stopped."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from core.money import Money
from graph.client import close_drivers, run_query
from graph.resync import resync_graph
from graph.sync import apply_changes
from marketplace import services
from marketplace.management.commands.outbox_worker import load_projection
from marketplace.models import Machine, MachineModel, MachineSpecValue, Maker, ModelSpecValue, OutboxEvent
from marketplace.outbox import drain, pending_count
from marketplace.selectors import effective_specs, machines_with_relations
from tests.factories import CategoryFactory, MachineFactory, SellerFactory, model_with_specs, spec_taxonomy

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("graph_clean")]


def machine_node(machine_id: int) -> dict[str, Any] | None:
    rows = run_query(
        "MATCH (m:Machine {id: $id})-[:IS_OF_MODEL]->(mo:Model), (m)-[:BELONGS_TO_CATEGORY]->(c:Category) "
        "RETURN properties(m) AS machine, mo.id AS model, c.id AS category",
        {"id": machine_id},
    )
    return rows[0] if rows else None


def specs_of(label: str, node_id: int) -> dict[str, Any]:
    rows = run_query(
        f"MATCH (n:{label} {{id: $id}})-[r:HAS_SPEC]->(s:Spec) RETURN s.code AS code, r.number AS number, r.text AS text",
        {"id": node_id},
    )
    return {row["code"]: row["number"] if row["number"] is not None else row["text"] for row in rows}


def new_listing(seller: Any, **overrides: Any) -> Machine:
    fields: dict[str, Any] = {
        "model_id": model_with_specs().pk, "year": 2018, "hours": 3000, "country": "JP",
        "price": Money(9_000_000, "JPY"), "title": {"en": "Excavator for sale"},
    }  # fmt: skip
    return services.machine_create(seller=seller, **{**fields, **overrides})


def test_the_worker_drains_the_graph_topic_with_this_projection() -> None:
    assert load_projection("graph") is apply_changes


def test_each_kind_of_change_reaches_the_graph() -> None:
    seller = SellerFactory.create()
    machine = new_listing(seller)

    drain("graph", apply_changes)
    assert machine_node(machine.pk) is None  # a draft is not in the graph

    services.machine_publish(actor=seller, machine_id=machine.pk)
    drain("graph", apply_changes)
    node = machine_node(machine.pk)
    model = machine.model
    assert node == {
        "machine": {
            "id": machine.pk, "status": "published", "year": 2018, "hours": 3000, "price_eur_cents": machine.price_pivot,
            "country": "JP", "category_path": [model.category.slug], "maker": model.maker.slug, "model": model.slug,
        },
        "model": model.pk,
        "category": model.category_id,
    }  # fmt: skip

    services.machine_update(actor=seller, machine_id=machine.pk, hours=3100, country="DE")
    drain("graph", apply_changes)
    changed = machine_node(machine.pk)
    assert changed is not None
    assert (changed["machine"]["hours"], changed["machine"]["country"]) == (3100, "DE")

    services.machine_unpublish(actor=seller, machine_id=machine.pk)
    drain("graph", apply_changes)
    assert machine_node(machine.pk) is None
    assert specs_of("Machine", machine.pk) == {}

    services.machine_publish(actor=seller, machine_id=machine.pk)
    drain("graph", apply_changes)
    assert machine_node(machine.pk) is not None
    services.machine_mark_sold(actor=seller, machine_id=machine.pk)
    drain("graph", apply_changes)
    assert machine_node(machine.pk) is None
    assert pending_count("graph") == 0


def test_a_machine_carries_its_effective_specs_and_the_model_its_catalogue_values() -> None:
    seller = SellerFactory.create()
    machine = new_listing(seller, specs={"operating_weight": 21_000, "attachments": "Hammer piping"})
    services.machine_publish(actor=seller, machine_id=machine.pk)

    drain("graph", apply_changes)

    # the machine's own value wins over the model's; the model's other values carry over
    assert specs_of("Machine", machine.pk) == {
        "operating_weight": 21_000.0, "engine_power": 110.0, "undercarriage": "crawler", "attachments": "Hammer piping",
    }  # fmt: skip
    assert specs_of("Model", machine.model_id) == {
        "operating_weight": 20_500.0,
        "engine_power": 110.0,
        "undercarriage": "crawler",
    }
    # the same rule as the listing page's spec sheet
    loaded = machines_with_relations().get(pk=machine.pk)
    sheet = {
        spec.definition.code: spec.value_number if spec.value_number is not None else spec.value_text
        for spec in effective_specs(loaded)
    }
    assert specs_of("Machine", machine.pk) == sheet

    services.machine_update(actor=seller, machine_id=machine.pk, specs={"engine_power": 120})
    drain("graph", apply_changes)

    assert specs_of("Machine", machine.pk) == {
        "operating_weight": 20_500.0,
        "engine_power": 120.0,
        "undercarriage": "crawler",
    }


def test_the_taxonomy_is_linked() -> None:
    parent = CategoryFactory.create(slug="excavators")
    child = CategoryFactory.create(slug="mini-excavators", parent=parent)
    machine = MachineFactory.create(model=model_with_specs(category=child, maker__slug="kubota"))

    apply_changes({"machine": {machine.pk}})

    rows = run_query(
        "MATCH (mk:Maker)-[:MADE_MODEL]->(mo:Model)-[:BELONGS_TO_CATEGORY]->(c:Category)-[:CHILD_OF]->(p:Category), "
        "(m:Machine)-[:IS_OF_MODEL]->(mo), (m)-[:BELONGS_TO_CATEGORY]->(c) "
        "RETURN mk.slug AS maker, mo.slug AS model, c.path AS path, p.slug AS parent, m.category_path AS machine_path"
    )
    assert rows == [{
        "maker": "kubota", "model": machine.model.slug, "path": ["excavators", "mini-excavators"],
        "parent": "excavators", "machine_path": ["excavators", "mini-excavators"],
    }]  # fmt: skip
    spec_categories = run_query(
        "MATCH (s:Spec)-[:BELONGS_TO_SPEC_CATEGORY]->(sc:SpecCategory) RETURN s.code AS spec, sc.code AS category, "
        "s.kind AS kind, s.unit AS unit ORDER BY spec"
    )
    assert {row["spec"]: (row["category"], row["kind"], row["unit"]) for row in spec_categories} == {
        "attachments": ("dimensions", "text", None),
        "bucket_capacity": ("dimensions", "number", "m3"),
        "engine_power": ("engine", "number", "kW"),
        "operating_weight": ("dimensions", "number", "kg"),
        "undercarriage": ("dimensions", "enum", None),
    }


def test_taxonomy_events_rewrite_nodes_and_the_machines_that_depend_on_them() -> None:
    machine = MachineFactory.create(model=model_with_specs())
    apply_changes({"machine": {machine.pk}})
    model = machine.model
    maker = model.maker
    Maker.objects.filter(pk=maker.pk).update(slug="renamed-maker")
    ModelSpecValue.objects.filter(model=model, definition__code="engine_power").update(value_number=99)
    other_category = CategoryFactory.create(slug="crawler-excavators")
    MachineModel.objects.filter(pk=model.pk).update(category=other_category)

    apply_changes({"maker": {maker.pk}, "model": {model.pk}})

    node = machine_node(machine.pk)
    assert node is not None
    assert node["machine"]["maker"] == "renamed-maker"
    assert node["machine"]["category_path"] == ["crawler-excavators"]
    assert node["category"] == other_category.pk
    assert specs_of("Machine", machine.pk)["engine_power"] == 99.0
    assert specs_of("Model", model.pk)["engine_power"] == 99.0
    assert run_query(
        "MATCH (mo:Model {id: $id})-[r:BELONGS_TO_CATEGORY]->() RETURN count(r) AS n", {"id": model.pk}
    ) == [{"n": 1}]


def cohorts_of(model_id: int) -> list[tuple[list[int], dict[str, int], dict[str, Any]]]:
    """The model's cohorts as (machine ids, machines per country, spec values), sorted."""
    rows = run_query(
        "MATCH (co:Cohort)-[:COHORT_OF]->(:Model {id: $id}) "
        "OPTIONAL MATCH (co)-[r:COHORT_HAS_SPEC]->(s:Spec) "
        "RETURN co, collect([s.code, coalesce(r.number, r.text)]) AS specs",
        {"id": model_id},
    )
    cohorts = []
    for row in rows:
        cohort = row["co"]
        ids = [int(part) for part in cohort["machine_ids"].split(",")]
        assert cohort["machine_count"] == len(ids)
        countries = dict(zip(cohort["countries"], cohort["country_counts"], strict=True))
        assert sum(countries.values()) == len(ids)
        cohorts.append((ids, countries, {code: value for code, value in row["specs"] if code is not None}))
    return sorted(cohorts, key=lambda cohort: cohort[0])


def test_cohorts_group_a_models_visible_machines_by_their_facetable_spec_values() -> None:
    definitions = spec_taxonomy()
    model, other_model = model_with_specs(), model_with_specs()
    plain = MachineFactory.create(model=model, country_id="JP")
    same = MachineFactory.create(model=model, country_id="DE")
    # a text spec is not faceted, so it does not split a cohort; a number spec does
    MachineSpecValue.objects.create(
        machine=same, definition=definitions["attachments"], value_text="Hammer piping"
    )
    bigger = MachineFactory.create(model=model, country_id="JP")
    MachineSpecValue.objects.create(
        machine=bigger, definition=definitions["bucket_capacity"], value_number=0.8
    )
    draft = MachineFactory.create(model=model, status="draft")

    apply_changes({"machine": {plain.pk, same.pk, bigger.pk, draft.pk}})

    catalogue = {"operating_weight": 20_500.0, "engine_power": 110.0, "undercarriage": "crawler"}
    assert cohorts_of(model.pk) == [
        ([plain.pk, same.pk], {"DE": 1, "JP": 1}, catalogue),
        ([bigger.pk], {"JP": 1}, {**catalogue, "bucket_capacity": 0.8}),
    ]

    # a machine moved to another model leaves its old model's cohorts; a hidden one leaves too
    Machine.objects.filter(pk=bigger.pk).update(model=other_model)
    Machine.objects.filter(pk=same.pk).update(status="sold")
    apply_changes({"machine": {bigger.pk, same.pk}})

    assert cohorts_of(model.pk) == [([plain.pk], {"JP": 1}, catalogue)]
    assert cohorts_of(other_model.pk) == [([bigger.pk], {"JP": 1}, {**catalogue, "bucket_capacity": 0.8})]

    # a catalogue value changed on the model reaches its cohorts
    ModelSpecValue.objects.filter(model=model, definition__code="engine_power").update(value_number=99)
    apply_changes({"model": {model.pk}})
    assert cohorts_of(model.pk) == [([plain.pk], {"JP": 1}, {**catalogue, "engine_power": 99.0})]

    # the last machine gone, a model has no cohort; a model deleted takes its cohorts along
    Machine.objects.filter(pk=plain.pk).update(status="draft")
    apply_changes({"machine": {plain.pk}})
    assert cohorts_of(model.pk) == []
    other_id = other_model.pk
    Machine.objects.filter(model=other_model).delete()
    other_model.delete()
    apply_changes({"model": {other_id}, "machine": {bigger.pk}})
    assert run_query("MATCH (co:Cohort) RETURN count(co) AS n") == [{"n": 0}]


def test_a_resync_builds_the_same_cohorts_as_the_changes_did() -> None:
    definitions = spec_taxonomy()
    model = model_with_specs()
    machines = [
        MachineFactory.create(model=model, country_id=country) for country in ("JP", "JP", "US", "DE")
    ]
    MachineSpecValue.objects.create(
        machine=machines[2], definition=definitions["undercarriage"], value_text="wheeled"
    )
    apply_changes({"machine": {machine.pk for machine in machines}})
    incremental = cohorts_of(model.pk)
    run_query("MATCH (n) DETACH DELETE n")
    run_query(
        "CREATE (:Cohort {machine_count: 1, machine_ids: '-1', countries: ['JP'], country_counts: [1]})"
        "-[:COHORT_OF]->(:Model {id: -2})"
    )  # a model deleted long ago, with its cohort

    call_command("graph_resync", verbosity=0)

    assert cohorts_of(model.pk) == incremental
    assert [ids for ids, _, _ in incremental] == [
        [machines[0].pk, machines[1].pk, machines[3].pk],
        [machines[2].pk],
    ]
    assert run_query("MATCH (co:Cohort) RETURN count(co) AS n") == [{"n": 2}]


def test_graph_resync_rebuilds_from_empty_and_removes_what_is_gone() -> None:
    model = model_with_specs()
    seller = SellerFactory.create()
    machines = [MachineFactory.create(model=model, seller=seller, year=2010 + n) for n in range(5)]
    MachineFactory.create(model=model, seller=seller, status="draft")
    MachineSpecValue.objects.create(
        machine=machines[0], definition=spec_taxonomy()["engine_power"], value_number=150
    )
    run_query("CREATE (:Machine {id: -1, status: 'published'}), (:Model {id: -2})")  # rows deleted long ago

    call_command("graph_resync", "--batch-size", "2", verbosity=0)

    in_graph = run_query("MATCH (m:Machine) RETURN m.id AS id ORDER BY id")
    assert [row["id"] for row in in_graph] == sorted(m.pk for m in machines)
    assert run_query("MATCH (mo:Model) RETURN mo.id AS id") == [{"id": model.pk}]
    assert specs_of("Machine", machines[0].pk)["engine_power"] == 150.0
    assert specs_of("Machine", machines[1].pk)["engine_power"] == 110.0

    Machine.objects.filter(pk=machines[4].pk).delete()
    call_command("graph_resync", verbosity=0)

    assert run_query("MATCH (m:Machine) RETURN count(m) AS n") == [{"n": 4}]
    assert machine_node(machines[4].pk) is None


def test_changes_committed_during_a_resync_are_queued_again() -> None:
    seller = SellerFactory.create()
    machine = new_listing(seller)
    services.machine_publish(actor=seller, machine_id=machine.pk)
    drain("graph", apply_changes)
    changed: list[int] = []

    def edit_once(done: int, total: int) -> None:
        if not changed:  # a seller saves while the rebuild is under way
            changed.append(services.machine_update(actor=seller, machine_id=machine.pk, hours=4321).pk)

    result = resync_graph(on_progress=edit_once)

    assert result.machines == 1
    assert result.replayed_events == 1
    assert pending_count("graph") == 1
    drain("graph", apply_changes)
    assert machine_node(machine.pk)["machine"]["hours"] == 4321  # type: ignore[index]


def stack(*args: str) -> None:
    subprocess.run([str(ROOT / "ops" / "stack.sh"), *args], check=True, timeout=240, capture_output=True)


@pytest.mark.services
def test_writes_succeed_while_neo4j_is_stopped_and_the_graph_catches_up() -> None:
    seller = SellerFactory.create()
    stack("stop", "neo4j-test")
    try:
        machines = [new_listing(seller, year=2015 + n) for n in range(3)]
        for machine in machines:
            services.machine_publish(actor=seller, machine_id=machine.pk)

        result = drain("graph", apply_changes)

        assert result.failed
        assert Machine.objects.filter(status="published").count() == 3
        assert pending_count("graph") == 6
        assert set(OutboxEvent.objects.filter(topic="graph").values_list("attempts", flat=True)) == {1}
    finally:
        stack("start", "neo4j-test")
        close_drivers()  # the pool's connections died with the server

    result = drain("graph", apply_changes)

    assert not result.failed
    assert result.processed == 6
    assert [machine_node(machine.pk)["machine"]["year"] for machine in machines] == [2015, 2016, 2017]  # type: ignore[index]
