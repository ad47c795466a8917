"""Faceted search over the catalogue graph: the request, the Cypher it becomes, and the result.
Pure: nothing here talks to a server (graph/selectors.py runs the queries).

Semantics
---------
The machines considered are those in the graph (the listings buyers may see). A request
narrows them with filters; within one filter the values are alternatives (OR), across
filters all must hold (AND):

* ``candidates``: if not None, only these machine ids (the buyer typed text: the search
  engine decided which listings match it, see search/faceted.py). Always applied.
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
Machines of one model share maker, category and catalogue specs, so most of the work is
done per model (945 models rather than 100,000 machines):

1. Every model gets a flag per *model-level* filter: category, maker, model, and spec
   filters on specs no machine overrides (``SpecInfo.per_machine`` is False; the selector
   knows this from PostgreSQL). Models failing two or more filters cannot count anywhere.
2. Their machines get the *machine-level* flags (country, spec filters on specs that some
   machine overrides) after the always-applied filters; rows failing two or more are dropped.
3. `models` groups the rows per model and flag pattern and derives the category, maker,
   model and model-level spec facets and the total from the groups: a model's catalogue
   values are read once per group, weighted by its number of machines.
4. `countries` counts the machines per country and collects the matching ids; `machine_specs`
   reads the machine-level specs from the machines' own HAS_SPEC relationships.

A flag pattern passes a facet's filters-but-its-own when ``misses = 0`` or its one miss is
that facet's own filter. Every value is a parameter; spec codes are checked against the
spec definitions before a query is built.
"""

from graph.facets.queries import FacetQueries, build_facet_queries
from graph.facets.request import (
    Bucket,
    EnumFacet,
    FacetRequest,
    FacetRequestError,
    FacetResult,
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
    "NumberFacet",
    "SpecFilter",
    "SpecInfo",
    "SpecRange",
    "SpecValues",
    "build_facet_queries",
    "combine",
    "histogram",
    "validate",
]
