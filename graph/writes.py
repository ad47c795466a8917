"""The graph's write statements, built with `graph.cypher` and rendered once.

Every statement takes its rows in one parameter, ``$rows`` (see graph/rows.py for their
shape), and is idempotent: MERGE on `id`, SET of every property, single-valued links moved
(the old relationship deleted, the new one merged) and HAS_SPEC relationships reconciled
with the row's spec list. Applying a statement twice, or an older and a newer row in either
order followed by the newer, ends in the same graph.

The text is rendered once per statement, like a prepared statement: the rows are bound at
run time under the parameter the builder declared, never written into the text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graph.cypher import NodePattern, Query, node, param, var
from graph.schema import CATALOGUE

ROWS = "rows"
Statement = tuple[str, dict[str, Any]]

_row = var("row")


def _prepare(query: Query) -> str:
    text, parameters = query.render()
    if set(parameters) != {ROWS}:  # anything else would be silently replaced by the rows below
        raise AssertionError(f"a prepared write binds only ${ROWS}, got {sorted(parameters)}")
    return text


def _unwind_rows() -> Query:
    return Query(schema=CATALOGUE).unwind(param((), ROWS), "row")


def _keyed(variable: str, label: str) -> NodePattern:
    return node(variable, label, properties={"id": _row.prop("id")})


def _relink(
    subject: NodePattern, relationship: str, target_label: str, key: str, *, incoming: bool = False
) -> list[Query]:
    """Two unit subqueries making `subject` linked to exactly the `target_label` node whose id
    is ``row.<key>``: delete any other such link, merge this one."""
    other = node("other", target_label)
    if incoming:
        stale = subject.ref().rel_in(relationship, variable="old").from_(other)
    else:
        stale = subject.ref().rel_out(relationship, variable="old").to(other)
    unlink = (
        Query()
        .match(stale)
        .where(_row.prop(key).is_null() | other.prop("id").ne(_row.prop(key)))
        .delete("old")
    )
    target = node("target", target_label, properties={"id": _row.prop(key)})
    link = (
        subject.ref().rel_in(relationship).from_(target.ref())
        if incoming
        else (subject.ref().rel_out(relationship).to(target.ref()))
    )
    return [unlink, Query().match(target).merge(link)]


def _reconcile_specs(subject: NodePattern) -> list[Query]:
    """Unit subqueries giving `subject` exactly the HAS_SPEC relationships of ``row.specs``."""
    spec = node("spec", "Spec")
    unlink = (
        Query()
        .match(subject.ref().rel_out("HAS_SPEC", variable="old").to(spec))
        .where(~spec.prop("id").is_in(_row.prop("spec_ids")))
        .delete("old")
    )
    value = var("value")
    target = node("target", "Spec", properties={"id": value.prop("spec_id")})
    link = (
        Query()
        .unwind(_row.prop("specs"), "value")
        .match(target)
        .merge(subject.ref().rel_out("HAS_SPEC", variable="has").to(target.ref()))
        .set(
            var("has").prop("number").set_to(value.prop("number")),
            var("has").prop("text").set_to(value.prop("text")),
        )
    )
    return [unlink, link]


def _merge(label: str, properties: tuple[str, ...], subqueries: list[Query] | None = None) -> str:
    subject = _keyed("n", label)
    query = (
        _unwind_rows().merge(subject).set(*(subject.prop(key).set_to(_row.prop(key)) for key in properties))
    )
    if subqueries:
        query = query.with_(subject, "row")
        for subquery in subqueries:
            query = query.call(subquery, scope=(subject, "row"))
    return _prepare(query)


@cache
def merge_spec_categories() -> str:
    return _merge("SpecCategory", ("code",))


@cache
def merge_specs() -> str:
    n = node("n")
    return _merge(
        "Spec",
        ("code", "kind", "unit"),
        _relink(n, "BELONGS_TO_SPEC_CATEGORY", "SpecCategory", "spec_category_id"),
    )


@cache
def merge_categories() -> str:
    return _merge("Category", ("slug", "path"))


@cache
def link_categories() -> str:
    """Separate from `merge_categories`, which must have created every parent first."""
    subject = _keyed("n", "Category")
    query = _unwind_rows().match(subject)
    for subquery in _relink(node("n"), "CHILD_OF", "Category", "parent_id"):
        query = query.call(subquery, scope=(subject, "row"))
    return _prepare(query)


@cache
def merge_makers() -> str:
    return _merge("Maker", ("slug", "name"))


@cache
def merge_models() -> str:
    n = node("n")
    return _merge(
        "Model",
        ("slug", "model_number"),
        [
            *_relink(n, "MADE_MODEL", "Maker", "maker_id", incoming=True),
            *_relink(n, "BELONGS_TO_CATEGORY", "Category", "category_id"),
            *_reconcile_specs(n),
        ],
    )


@cache
def merge_machines() -> str:
    subject = _keyed("n", "Machine")
    n = node("n")
    query = (
        _unwind_rows().merge(subject).set(subject.merge_with(_row.prop("properties"))).with_(subject, "row")
    )
    for subquery in [
        *_relink(n, "IS_OF_MODEL", "Model", "model_id"),
        *_relink(n, "BELONGS_TO_CATEGORY", "Category", "category_id"),
        *_reconcile_specs(n),
    ]:
        query = query.call(subquery, scope=(subject, "row"))
    return _prepare(query)


@cache
def create_machines() -> str:
    """Like `merge_machines` for machines known to be absent (a rebuild's new machines): plain
    CREATE, with none of MERGE's existence checks and locks. A machine that appeared in the
    meantime makes the uniqueness constraint fail the transaction; the caller then merges."""
    subject = _keyed("n", "Machine")
    model = node("model", "Model", properties={"id": _row.prop("model_id")})
    category = node("category", "Category", properties={"id": _row.prop("category_id")})
    value = var("value")
    spec = node("spec", "Spec", properties={"id": value.prop("spec_id")})
    has_spec = {"number": value.prop("number"), "text": value.prop("text")}
    query = (
        _unwind_rows()
        .match(model, category)
        .create(subject)
        .set(subject.merge_with(_row.prop("properties")))
        .create(
            subject.ref().rel_out("IS_OF_MODEL").to(model.ref()),
            subject.ref().rel_out("BELONGS_TO_CATEGORY").to(category.ref()),
        )
        .with_(subject, "row")
        .unwind(_row.prop("specs"), "value")
        .match(spec)
        .create(subject.ref().rel_out("HAS_SPEC", properties=has_spec).to(spec.ref()))
    )
    return _prepare(query)


@cache
def replace_cohorts() -> str:
    """Rows ``{model_id, machine_count, cohorts: [{properties, specs}]}`` (graph/rows.py
    `cohort_rows`): the model's cohorts deleted and these created in their place."""
    model = node("mo", "Model", properties={"id": _row.prop("model_id")})
    old = node("old", "Cohort")
    drop = Query().match(old.rel_out("COHORT_OF").to(model.ref())).detach_delete(old)
    cohort, value = var("cohort"), var("value")
    created = node("co", "Cohort")
    spec = node("spec", "Spec", properties={"id": value.prop("spec_id")})
    has_spec = {"number": value.prop("number"), "text": value.prop("text")}
    add = (
        Query()
        .unwind(_row.prop("cohorts"), "cohort")
        .create(created.rel_out("COHORT_OF").to(model.ref()))
        .set(created.merge_with(cohort.prop("properties")))
        .with_(created, cohort)
        .unwind(cohort.prop("specs"), "value")
        .match(spec)
        .create(created.ref().rel_out("COHORT_HAS_SPEC", properties=has_spec).to(spec.ref()))
    )
    query = (
        _unwind_rows().match(model).set(model.prop("machine_count").set_to(_row.prop("machine_count"))).with_(model, "row")
        .call(drop, scope=(model,))
        .call(add, scope=(model, "row"))
    )  # fmt: skip
    return _prepare(query)


@cache
def delete_model_cohorts() -> str:
    """``$rows`` is a list of model ids; their cohorts go (before the models themselves)."""
    cohort = node("co", "Cohort")
    model = node(None, "Model", properties={"id": var("gone")})
    return _prepare(
        Query(schema=CATALOGUE)
        .unwind(param((), ROWS), "gone")
        .match(cohort.rel_out("COHORT_OF").to(model))
        .detach_delete(cohort)
    )


@cache
def models_of_machines() -> str:
    """``$rows`` is a list of machine ids: the ids of the models the graph links them to."""
    machine = node("m", "Machine", properties={"id": var("machine_id")})
    model = node("mo", "Model")
    query = (
        Query(schema=CATALOGUE).unwind(param((), ROWS), "machine_id")
        .match(machine.rel_out("IS_OF_MODEL").to(model))
        .return_(model.prop("id").as_("id"), distinct=True)
    )  # fmt: skip
    return _prepare(query)


@cache
def delete_nodes(label: str) -> str:
    """``$rows`` is a list of ids; their nodes go with all their relationships."""
    gone = node("n", label, properties={"id": var("gone")})
    return _prepare(Query(schema=CATALOGUE).unwind(param((), ROWS), "gone").match(gone).detach_delete(gone))


@cache
def node_ids(label: str) -> str:
    n = node("n", label)
    return Query(schema=CATALOGUE).match(n).return_(n.prop("id").as_("id")).render().text


def statement(text: str, rows: list[Any]) -> Statement:
    return text, {ROWS: rows}
