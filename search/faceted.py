"""Search with spec facets: the search engine and the catalogue graph answer one search together.

When the graph is asked
* Spec facets are offered once the buyer has narrowed the search to a category (a crane's
  lifting capacity means nothing beside a loader's bucket), and spec filters apply whenever
  they are given. So the graph answers a search with a spec filter, or with facets and a
  category; every other search is the engine's alone, with its own category, maker and
  country facets and ``facets.specs == {}``. Browsing everything or typing words is as fast
  as plain full-text search.
* When the graph answers, it computes every facet: category, maker and country counts and
  the spec facets (graph/facets has the semantics: disjunctive, each facet without its own
  filter). One computation for all of them keeps the counts consistent with each other and
  with the result. (With text, the country facet is the engine's: see below.)

Text and spec filters
* Text is the engine's: when the buyer typed some, the listings matching it (and the year,
  hours and price ranges) are what the graph counts over, narrowed by the other filters.
  Each search document names its cohort (graph/schema.py), so the engine counts the matches
  per cohort in one aggregation and the graph weighs each cohort by its count
  (`cohort_tallies`, `FacetRequest.tallies`): no id leaves the engine. The country facet
  then comes from the engine's page, counted within the matching cohorts (a tally per
  cohort and country cost four times as much). With a country filter, which cohorts cannot
  apply, or past the engine's bucket limit, the ids of every match are fetched instead, in
  id order, without documents (`candidate_ids`), and the graph counts every facet.
* Spec filters are the graph's: with any, the graph returns the matching cohorts (or ids)
  and the engine pages, sorts and highlights within them (`SearchParams.cohorts`,
  `SearchParams.machine_ids`).
  Without, the engine applies the same filters as the graph by itself, and the page of
  results is fetched from the engine while the graph counts (side by side, not one after
  the other).
* If Neo4j is down, a search without spec filters still answers, with the engine's own
  facets and no spec facets; one with spec filters fails with 503.

Spec facets come back in the buyer's unit system (`SearchParams.units`)::

    {"operating_weight": {"label": "Operating weight", "kind": "number", "unit": "t",
                          "min": 1.2, "max": 24.0, "buckets": [{"from": 1.2, "to": 3.48, "count": 31}, ...]},
     "fuel": {"label": "Fuel", "kind": "enum", "unit": "",
              "values": [{"key": "diesel", "label": "Diesel", "count": 230}, ...]}}
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from core.errors import ServiceUnavailableError
from core.threads import shared_pool
from graph.facets import EnumFacet, FacetRequest, FacetResult, NumberFacet, Tallies
from graph.selectors import facet_search
from search.query import CANDIDATES_PAGE, SearchParams, build_candidates, build_cohort_tallies
from search.selectors import SearchResult, engine_call, facet_labels, search_machines

FACET_SIZE = 50  # values per facet, as the engine's terms aggregations return


@dataclass
class Took:
    """The engine's own time (`took`, ms) summed over the requests for the text candidates
    (reported in Server-Timing beside the page's)."""

    ms: int = 0


def candidate_ids(
    params: SearchParams, *, every_filter: bool = False, page: int = CANDIDATES_PAGE, took: Took | None = None
) -> tuple[int, ...]:
    """Ids of every listing the text (and the year, hours and price ranges; with
    `every_filter`, every filter but the spec filters) matches, in id order, `page` a
    request (one request for anything short of the whole catalogue)."""
    ids: list[int] = []
    after: int | None = None
    while True:
        body = build_candidates(params, after, every_filter=every_filter, size=page)
        response = engine_call("search", body=body, filter_path="took,hits.hits.sort")
        if took is not None:
            took.ms += response.get("took", 0)
        hits = response.get("hits", {}).get("hits", [])
        ids.extend(int(hit["sort"][0]) for hit in hits)
        if len(hits) < page:
            return tuple(ids)
        after = ids[-1]


def cohort_tallies(
    params: SearchParams, *, every_filter: bool = False, took: Took | None = None
) -> Tallies | None:
    """What `candidate_ids` would list, counted by the engine per cohort (not per country:
    the engine counts countries itself when it pages within the matching cohorts); None
    when the tally would not fit the engine's bucket limit."""
    response = engine_call(
        "search",
        body=build_cohort_tallies(params, every_filter=every_filter),
        filter_path="took,aggregations.cohorts",
    )
    if took is not None:
        took.ms += response.get("took", 0)
    cohorts = response.get("aggregations", {}).get("cohorts", {})
    if cohorts.get("sum_other_doc_count"):
        return None
    return {bucket["key"]: bucket["doc_count"] for bucket in cohorts.get("buckets", [])}


def facet_request(
    params: SearchParams, candidates: tuple[int, ...] | None, tallies: Tallies | None = None
) -> FacetRequest:
    """The graph's part of a search. Candidates (or tallies) from the engine already passed
    the year, hours and price ranges, so the graph is not asked again: without a country
    filter, cohorts can then answer (graph/facets). Tallies have no countries: the engine
    counts the country facet then."""
    ranges = candidates is None and tallies is None
    return FacetRequest(
        candidates=candidates,
        tallies=tallies,
        categories=params.categories,
        makers=params.makers,
        models=params.models,
        countries=params.countries,
        year_min=params.year_min if ranges else None,
        year_max=params.year_max if ranges else None,
        hours_max=params.hours_max if ranges else None,
        price_min=params.price_min_pivot if ranges else None,
        price_max=params.price_max_pivot if ranges else None,
        specs=params.specs,
        with_ids=bool(params.specs),
        with_countries=tallies is None,
    )


def graph_answers(params: SearchParams) -> bool:
    """Whether the graph takes part in this search (see the module docstring)."""
    return bool(params.specs) or (params.facets and bool(params.categories))


def faceted_search(params: SearchParams) -> SearchResult:
    if not graph_answers(params):
        result = search_machines(params)
        return replace(result, facets={**result.facets, "specs": {}}) if params.facets else result
    if not params.specs:
        return _with_spec_facets(params)
    started = time.perf_counter()
    candidates, tallies, took = None, None, Took()
    if params.text.strip():
        # Counted per cohort by the engine when the graph can take that (no country filter);
        # otherwise every matching id.
        tallies = cohort_tallies(params, took=took) if not params.countries else None
        candidates = candidate_ids(params, took=took) if tallies is None else None
    facets = facet_search(facet_request(params, candidates, tallies))
    graph_ms = round((time.perf_counter() - started) * 1000)
    if facets.cohorts is not None:
        # The engine pages within the matching cohorts, and counts their matches by country:
        # with no country filter (or cohorts would not answer), that is the country facet.
        narrowed = replace(params, cohorts=tuple(sorted(facets.cohorts)), facet_fields=("country",))
    else:
        narrowed = replace(
            params, machine_ids=tuple(sorted(facets.ids)) if facets.ids is not None else (), facets=False
        )
    result = search_machines(narrowed)
    if not params.facets:
        return replace(result, facets={}, graph_ms=graph_ms, candidates_ms=took.ms)
    shaped = shape_facets(facets, params.language, params.units)
    if facets.cohorts is not None:
        shaped["country"] = result.facets["country"]
    return replace(result, facets=shaped, graph_ms=graph_ms, candidates_ms=took.ms)


def _with_spec_facets(params: SearchParams) -> SearchResult:
    """No spec filter: the engine's page and facets as usual, fetched while the graph counts
    the spec facets. Every filter applies to every spec facet (none is a spec's own), so the
    graph counts over the engine's matches for the text and every filter, or, without text,
    over the same filters by itself."""
    # the labels are read here: a pool thread would open a database connection of its own
    page = shared_pool("search-page", workers=4).submit(
        search_machines, params, facet_labels(params.language)
    )
    started = time.perf_counter()
    took = Took()
    try:
        if params.text.strip():
            tallies = cohort_tallies(params, every_filter=True, took=took)  # no country facet here
            found = (
                {"tallies": tallies}
                if tallies is not None
                else {"candidates": candidate_ids(params, every_filter=True, took=took)}
            )
            request = FacetRequest(**found, with_ids=False, with_countries=False, specs_only=True)
        else:
            request = replace(facet_request(params, None), with_countries=False, specs_only=True)
        specs = spec_facets(facet_search(request).specs, params.language, params.units)
    except ServiceUnavailableError:
        specs = {}
    graph_ms = round((time.perf_counter() - started) * 1000)
    result = page.result()
    return replace(result, facets={**result.facets, "specs": specs}, graph_ms=graph_ms, candidates_ms=took.ms)


def shape_facets(result: FacetResult, language: str, units: str) -> dict[str, Any]:
    labels = facet_labels(language)

    def values(name: str, counts: dict[str, int]) -> list[dict[str, Any]]:
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
        return [{"key": key, "label": labels[name].get(key, key), "count": count} for key, count in ordered]

    return {
        "category": values("category", result.category),
        "maker": values("maker", result.maker),
        "model": values("model", result.model),
        "country": values("country", result.country),
        "specs": spec_facets(result.specs, language, units),
    }


def spec_facets(specs: dict[str, EnumFacet | NumberFacet], language: str, units: str) -> dict[str, Any]:
    """Spec facets in the order of the spec sheet, labelled in `language`, numbers in `units`."""
    from marketplace.models import SpecDefinition
    from marketplace.units import display_unit

    shaped: dict[str, Any] = {}
    for definition in SpecDefinition.objects.select_related("spec_category").filter(code__in=list(specs)):
        facet = specs[definition.code]
        label = definition.name(language)
        if isinstance(facet, EnumFacet):
            names = {choice["code"]: choice.get("names", {}) for choice in definition.choices}
            order = {code: index for index, code in enumerate(names)}
            keys = sorted(facet.counts, key=lambda key: (order.get(key, len(order)), key))
            shaped[definition.code] = {"label": label, "kind": "enum", "unit": "", "values": [
                {"key": key, "label": str(names.get(key, {}).get(language) or names.get(key, {}).get("en") or key),
                 "count": facet.counts[key]} for key in keys
            ]}  # fmt: skip
            continue
        unit = display_unit(definition.unit, units)

        def shown(value: float, factor: float = unit.factor, decimals: int = unit.decimals) -> float:
            # two more decimals than the spec sheet shows, so adjacent bucket edges stay apart
            return round(value * factor, decimals + 2)

        shaped[definition.code] = {
            "label": label, "kind": "number", "unit": unit.symbol,
            "min": shown(facet.minimum), "max": shown(facet.maximum),
            "buckets": [{"from": shown(b.start), "to": shown(b.end), "count": b.count} for b in facet.buckets],
        }  # fmt: skip
    return shaped
