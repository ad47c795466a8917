"""The graph projection: committed catalogue changes become nodes and relationships in Neo4j.

`apply_changes` is the outbox projection of the `graph` topic (see marketplace/outbox.py). It
re-reads the current rows and writes them idempotently, so events may repeat or arrive out
of order. Only listings buyers may see (marketplace.models.machines.SEARCHABLE_STATUSES) are in the
graph; any other machine id it is given is removed. The taxonomy a machine refers to (its
model with the catalogue specs, maker, category and ancestors, spec definitions) is merged
in the same transaction, so a machine never points at a missing node.

Events for taxonomy rows (`model`, `maker`, `category`, `spec`) rewrite those nodes, remove
the ones deleted from PostgreSQL, and rewrite the machines whose denormalised properties
(maker and model slugs, category path) or effective specs depend on them.

If Neo4j is down, the driver raises; the outbox keeps the events pending and retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graph import writes
from graph.client import run_in_transaction, run_query
from graph.rows import MachineBatch, Taxonomy, cohort_rows, load_taxonomy, machine_batch, machine_model_ids
from graph.versions import bump_projection_version
from graph.writes import ROWS, Statement, statement

MACHINES_PER_TRANSACTION = 2_000
MODELS_PER_TRANSACTION = 200  # of cohort rewrites
TAXONOMY_LABELS = {"category": "Category", "maker": "Maker", "model": "Model", "spec": "Spec"}


def chunked(values: Iterable[int], size: int) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def taxonomy_statements(
    taxonomy: Taxonomy,
    *,
    model_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] = (),
    maker_ids: Iterable[int] = (),
) -> list[Statement]:
    """MERGE statements for the given models (all models in `taxonomy` when None) and for
    everything they refer to, plus the extra categories and makers given: spec definitions
    and spec categories, makers, and each category with its ancestors."""
    models = sorted(taxonomy.models) if model_ids is None else sorted(set(model_ids))
    categories = {
        ancestor
        for category_id in {*category_ids, *(taxonomy.models[pk]["category_id"] for pk in models)}
        for ancestor in taxonomy.category_chain(category_id)
    }
    makers = {*maker_ids, *(taxonomy.models[pk]["maker_id"] for pk in models)}
    category_rows = [
        taxonomy.categories[pk]
        for pk in sorted(categories, key=lambda pk: len(taxonomy.categories[pk]["path"]))
    ]
    return [
        statement(writes.merge_spec_categories(), list(taxonomy.spec_categories.values())),
        statement(writes.merge_specs(), list(taxonomy.specs.values())),
        statement(writes.merge_categories(), category_rows),
        statement(writes.link_categories(), category_rows),
        statement(writes.merge_makers(), [taxonomy.makers[pk] for pk in sorted(makers)]),
        statement(writes.merge_models(), taxonomy.model_rows(models)),
    ]


def machine_statements(batch: MachineBatch) -> list[Statement]:
    statements = []
    if batch.rows:
        statements.append(statement(writes.merge_machines(), batch.rows))
    if batch.removed:
        statements.append(statement(writes.delete_nodes("Machine"), batch.removed))
    return statements


def write_cohorts(model_ids: Iterable[int] | None = None) -> None:
    """Rebuild the cohorts of these models (every model when None) from PostgreSQL, a
    transaction per batch of models."""
    taxonomy = load_taxonomy(None if model_ids is None else set(model_ids))
    models = sorted(taxonomy.models) if model_ids is None else sorted(set(model_ids))
    rows = {row["model_id"]: row for row in cohort_rows(models if model_ids is not None else None, taxonomy)}
    for chunk in chunked(models, MODELS_PER_TRANSACTION):
        run_in_transaction([statement(writes.replace_cohorts(), [rows[pk] for pk in chunk])])


def graph_models_of(machine_ids: Iterable[int]) -> set[int]:
    """The models the graph currently links these machines to."""
    return {row["id"] for row in run_query(writes.models_of_machines(), {ROWS: sorted(set(machine_ids))})}


def write_machines(machine_ids: Iterable[int], taxonomy: Taxonomy) -> int:
    """Write the machines (and the taxonomy they need) a transaction per batch, then rebuild
    the cohorts of every model they belonged to or belong to now; returns how many machines
    were visible and written."""
    machine_ids = set(machine_ids)
    models = graph_models_of(machine_ids) | set(taxonomy.models)
    written = 0
    for chunk in chunked(machine_ids, MACHINES_PER_TRANSACTION):
        batch = machine_batch(chunk, taxonomy)
        statements = machine_statements(batch)
        if batch.rows:
            statements = taxonomy_statements(taxonomy, model_ids=batch.model_ids) + statements
        run_in_transaction(statements)
        written += len(batch.rows)
    write_cohorts(models)
    return written


def _affected_machines(changes: dict[str, set[int]], taxonomy: Taxonomy) -> set[int]:
    """Machines whose graph properties derive from the changed taxonomy rows."""
    from marketplace.models import Machine

    categories = set(changes.get("category", ()))
    subtree = {
        pk
        for pk, row in taxonomy.categories.items()
        if any(
            taxonomy.categories[changed]["slug"] in row["path"]
            for changed in categories & set(taxonomy.categories)
        )
    }
    machines = Machine.objects.filter(model_id__in=changes.get("model", set()))
    machines |= Machine.objects.filter(model__maker_id__in=changes.get("maker", set()))
    machines |= Machine.objects.filter(model__category_id__in=subtree)
    return set(machines.values_list("id", flat=True))


def _apply_taxonomy(changes: dict[str, set[int]]) -> set[int]:
    """Write or remove the changed taxonomy rows; returns the machines to rewrite."""
    from marketplace.models import MachineModel

    changed = {entity: set(changes.get(entity, ())) for entity in TAXONOMY_LABELS}
    if not any(changed.values()):
        return set()
    models = changed["model"] | set(
        MachineModel.objects.filter(maker_id__in=changed["maker"]).values_list("id", flat=True)
    )
    taxonomy = load_taxonomy(models)
    present = {
        "category": set(taxonomy.categories), "maker": set(taxonomy.makers),
        "model": set(taxonomy.models), "spec": set(taxonomy.specs),
    }  # fmt: skip
    statements = taxonomy_statements(
        taxonomy,
        model_ids=changed["model"] & present["model"],
        category_ids=changed["category"] & present["category"],
        maker_ids=changed["maker"] & present["maker"],
    )
    for entity, label in TAXONOMY_LABELS.items():
        gone = sorted(changed[entity] - present[entity])
        if gone and entity == "model":
            statements.append(statement(writes.delete_model_cohorts(), gone))
        if gone:
            statements.append(statement(writes.delete_nodes(label), gone))
    run_in_transaction(statements)
    return _affected_machines(changed, taxonomy)


def apply_changes(changes: dict[str, set[int]]) -> None:
    """Outbox projection for the `graph` topic: {entity: {ids}} for one batch of events."""
    machine_ids = set(changes.get("machine", ())) | _apply_taxonomy(changes)
    if machine_ids:
        write_machines(machine_ids, load_taxonomy(machine_model_ids(machine_ids)))
    if changes.get("spec"):
        # a spec that becomes (or stops being) a number or an enumeration changes every cohort
        write_cohorts()
    if any(changes.values()):
        bump_projection_version()  # cached spec facets counted before this are stale
