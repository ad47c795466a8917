"""Faceted search over the catalogue graph: the request, the Cypher it becomes, and the result.
Pure: nothing here talks to a server (graph/selectors.py runs the queries).

Semantics
---------
The machines considered are those in the graph (the listings buyers may see). A request
narrows them with filters; within one filter the values are alternatives (OR), across
filters all must hold (AND):

* ``candidates``: if not None, only these machine ids (the buyer typed text: the search
  engine decided which listings match it, see search/selectors.py). Always applied.
* ``year``, ``hours``, ``price`` ranges (bounds inclusive; a machine without hours fails an
  hours range). Always applied.
* ``categories`` (a parent includes its subcategories: the slug is anywhere in the machine's
  category path), ``makers``, ``models``, ``countries``.
* spec filters on the machine's *effective* values (the model's catalogue values overridden
  by the machine's own): `SpecRange` on a number spec, bounds inclusive, in the canonical SI
  unit; `SpecValues` on an enumeration. A machine without a value for the spec fails it.

``total`` and ``ids`` are the machines passing every filter. Facets are disjunctive: each
facet counts the machines passing every filter *except its own*, so choosing Kubota still
shows how many Takeuchis there are, and a spec's own range does not narrow its histogram.
The category facet counts a machine under every slug of its path. A spec facet appears for
every number or enumeration spec with at least one value among the machines it counts:
value counts for an enumeration; minimum, maximum and ten equal-width buckets for a number.

Query shape
-----------
A pass over every machine's HAS_SPEC relationships is far too slow at the catalogue's scale
in Neo4j Community (slotted runtime). But machines of one model share maker, category and
catalogue specs, and models are few, so most of the work is done per model:

1. Every model gets a flag per *model-level* filter: category, maker, model, and spec
   filters on specs no machine overrides (``SpecInfo.per_machine`` is False; the selector
   asks PostgreSQL which specs have machine values). Such a spec filter is the set of
   models passing it, found once from the Spec node's side; the flag is a membership test.
   Models failing two or more filters cannot count anywhere and are dropped.
2. Filters on specs some machine overrides become sets of the machines passing them, each
   found in one pass over the Spec node's relationships; text candidates become a set of
   nodes too. A machine's *machine-level* flags (country, those sets) are then hash lookups.
3. `models` (three queries, run side by side): per model, a subquery counts its machines
   by pattern of machine-level flags; the category, maker and model facets, the total and
   the model-level spec facets come from these few groups, a model's catalogue values read
   once per group and weighted by its count.
4. `countries` counts the machines of fully matching models per country and collects the
   ids; `machine_specs` reads the overridden specs from the machines' own relationships,
   walking each counted machine (up to 10,000 of them) or else each spec's relationships.

Cohorts
-------
Most searches filter only by category, maker, model and specs. Machines of one model that
share every facetable spec value form a cohort (graph/schema.py), far fewer than the
machines, each knowing its machine ids and machines per country. When no filter
needs a machine's own properties (no year, hours or price range and no country filter:
`can_group`), the same queries run over cohorts instead of machines, each row
weighted by its machine count; the country facet sums the cohorts' country tallies and the
ids are the matching cohorts' id lists. With text candidates, the selector first reads every
cohort's machine ids and counts the candidates in each (`Tallies`); the queries then weight
each cohort by its candidates, and the matching cohorts' candidates are the ids (their
keys are collected by the `machine_specs` query, which walks the same cohorts, so no
`countries` query runs then). Same
answers in a fraction of the time (docs/benchmarks.md); the oracle test checks both paths.

A row counts for a facet when ``misses = 0`` or its only miss is that facet's own filter.
Numbers come back as counts per distinct value, so the histograms are exact. Every value
is a parameter; spec codes are checked against the spec definitions before a query is built.
"""

from graph.facets.queries import (
    FacetQueries,
    Tallies,
    build_facet_queries,
    can_group,
    cohort_members_query,
    cohort_model_id,
)
from graph.facets.request import (
    Bucket,
    EnumFacet,
    FacetRequest,
    FacetRequestError,
    FacetResult,
    ListingFilters,
    NumberFacet,
    SpecFilter,
    SpecInfo,
    SpecRange,
    SpecValues,
    validate,
)
from graph.facets.result import HISTOGRAM_BUCKETS, combine, histogram

__all__ = [
    "HISTOGRAM_BUCKETS",
    "Bucket",
    "EnumFacet",
    "FacetQueries",
    "FacetRequest",
    "FacetRequestError",
    "FacetResult",
    "ListingFilters",
    "NumberFacet",
    "SpecFilter",
    "SpecInfo",
    "SpecRange",
    "SpecValues",
    "Tallies",
    "build_facet_queries",
    "can_group",
    "cohort_members_query",
    "cohort_model_id",
    "combine",
    "histogram",
    "validate",
]
