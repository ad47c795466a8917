"""The catalogue graph's shape: what the Cypher builder may name (`CATALOGUE`), and the
uniqueness constraints and indexes the server keeps (idempotent, run by `prepare`).

    (:Category {id, slug, path})-[:CHILD_OF]->(:Category)
    (:Maker {id, slug, name})-[:MADE_MODEL]->(:Model {id, slug, model_number})
    (:Model)-[:BELONGS_TO_CATEGORY]->(:Category)
    (:Spec {id, code, kind, unit})-[:BELONGS_TO_SPEC_CATEGORY]->(:SpecCategory {id, code})
    (:Model)-[:HAS_SPEC {number, text}]->(:Spec)          the maker's catalogue values
    (:Machine {id, status, year, hours, price_eur_cents, country, category_path, maker, model})
    (:Machine)-[:IS_OF_MODEL]->(:Model), (:Machine)-[:BELONGS_TO_CATEGORY]->(:Category)
    (:Machine)-[:HAS_SPEC {number, text}]->(:Spec)        the machine's effective values

    (:Cohort {key, machine_count, machine_ids, machine_countries, countries, country_counts})
    (:Cohort)-[:COHORT_OF]->(:Model)
    (:Model {machine_count})                              the visible machines of its cohorts
    (:Cohort)-[:COHORT_HAS_SPEC {number, text}]->(:Spec)  the cohort's effective values

A Cohort stands for the visible machines of one model that share their effective values of
every facetable (number or enumeration) spec: 92,000 machines make about 5,000 cohorts. It
holds their ids and countries (comma-separated, in the same order) and how many are in each
country (`countries[i]` has `country_counts[i]`), so facet counts that need no machine property (no year, hours or
price range, no country filter, no text) are sums over cohorts instead of a walk over every
machine (graph/facets). Cohorts are derived data: rebuilt for a model whenever one of its
machines is written (graph/sync.py), never edited in place.

A Machine node carries its maker and model slugs and its category path (slugs, root first)
so that filters and facet counts read node properties instead of walking the taxonomy.

Indexes: every label is unique on `id` (MERGE and `m.id IN $ids` seek through it); `Spec(code)`
resolves a spec filter to its node. Machine filters are deliberately not indexed: disjunctive
facets need every machine that passes all filters but one, so the facet query reads all
candidate machines anyway, and a list property (`category_path`) could not be searched by an
index for membership in any case.
"""

from __future__ import annotations

from graph.client import run_query
from graph.cypher import Schema

UNIQUE_IDS = ("Machine", "Model", "Maker", "Category", "Spec", "SpecCategory")

STATEMENTS: tuple[str, ...] = (
    *(
        f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in UNIQUE_IDS
    ),
    "CREATE INDEX spec_code IF NOT EXISTS FOR (n:Spec) ON (n.code)",
    "CREATE INDEX category_slug IF NOT EXISTS FOR (n:Category) ON (n.slug)",
    "CREATE INDEX machine_status IF NOT EXISTS FOR (n:Machine) ON (n.status)",
)

CATALOGUE = Schema(
    labels=(*UNIQUE_IDS, "Cohort"),
    relationship_types=(
        "CHILD_OF",
        "MADE_MODEL",
        "BELONGS_TO_CATEGORY",
        "BELONGS_TO_SPEC_CATEGORY",
        "HAS_SPEC",
        "IS_OF_MODEL",
        "COHORT_OF",
        "COHORT_HAS_SPEC",
    ),
    property_keys=(
        # node and relationship properties
        "id", "slug", "path", "name", "model_number", "code", "kind", "unit", "number", "text",
        "status", "year", "hours", "price_eur_cents", "country", "category_path", "maker", "model",
        "key", "machine_count", "machine_ids", "machine_countries", "countries", "country_counts",
        # keys of the maps sent as UNWIND rows
        "parent_id", "maker_id", "category_id", "model_id", "spec_category_id", "spec_id", "specs",
        "spec_ids", "properties", "cohorts",
    ),
)  # fmt: skip


def ensure_schema() -> int:
    for statement in STATEMENTS:
        run_query(statement)
    return len(STATEMENTS)
