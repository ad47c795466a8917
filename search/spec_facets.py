"""Spec facets beside the results: the graph's counts for a search, served by their own
endpoint (GET /api/v1/search/spec-facets/ with the search's parameters) so that the page of
results never waits for them (docs/ARCHITECTURE.md, "Results first").

Same semantics as when they came with the results (search/selectors.py, graph/facets):
offered once the search is narrowed to a category or has a spec filter; disjunctive (a
spec's own filter does not narrow its own facet); counted over the listings the text
matches, with every word required, or as few as the results were relaxed to
(`relaxed_steps`: the same steps, decided by the same count, so the facets describe the
results shown).

Cached in Redis for a short while, keyed by the normalised search (filters, text, language,
units; not the sort or the page, so paging and re-sorting do not recount) and by the
projections' version (graph/versions.py): when the graph or the index applies a change,
the version moves on and every cached answer is out of reach at once. The index makes a
change searchable within its refresh interval (1 s) of the bump, so an answer computed in
that second may miss it until it expires (CACHE_TTL_SECONDS).

By spec code, in the spec sheet's order, labelled in the buyer's language, numbers in the
buyer's unit system (`SearchParams.units`)::

    {"operating_weight": {"label": "Operating weight", "kind": "number", "unit": "t",
                          "min": 1.2, "max": 24.0, "buckets": [{"from": 1.2, "to": 3.48, "count": 31}, ...]},
     "fuel": {"label": "Fuel", "kind": "enum", "unit": "",
              "values": [{"key": "diesel", "label": "Diesel", "count": 230}, ...]}}
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from redis.exceptions import RedisError

from core.redis import get_redis
from graph.facets import FacetRequest, SpecRange, SpecValues
from graph.selectors import facet_search
from graph.versions import projection_version
from search.engine import candidate_ids, cohort_tallies
from search.query import SearchParams, text_words
from search.selectors import Relaxed, relaxed_steps
from search.shaping import spec_facets

CACHE_TTL_SECONDS = 120
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpecFacets:
    specs: dict[str, Any]  # by spec code, as in the module docstring
    relaxed: Relaxed | None  # the results' relaxation, which these facets count over
    graph_ms: int  # time to compute them (0 from the cache)
    cached: bool = False


def offered(params: SearchParams) -> bool:
    """Spec facets are offered within a category (a crane's lifting capacity means nothing
    beside a loader's bucket), or once a spec filter is given."""
    return bool(params.categories or params.specs)


def spec_facet_search(params: SearchParams) -> SpecFacets:
    """The spec facets of the search `params` describes, from the cache when it has them."""
    if not offered(params):
        return SpecFacets({}, None, 0)
    version = projection_version()
    key = cache_key(params, version) if version is not None else None
    cached = _read(key) if key is not None else None
    if cached is not None:
        return cached
    started = time.perf_counter()
    words = len(text_words(params.text))
    specs, total = _counted(params)
    relaxed = None
    for required in relaxed_steps(words):
        if total != 0:
            break
        specs, total = _counted(replace(params, required_words=required))
        relaxed = Relaxed(required, words)
    answer = SpecFacets(specs, relaxed, round((time.perf_counter() - started) * 1000))
    if key is not None:
        _write(key, answer)
    return answer


def _counted(params: SearchParams) -> tuple[dict[str, Any], int | None]:
    """The spec facets and how many listings match every filter: the results' count, which
    decides a relaxation (None when not counted: without words there is nothing to relax)."""
    text = bool(params.text.strip())
    if not params.specs:
        # Every filter applies to every spec facet: the engine applies them with the text,
        # and the graph counts over what it found (tallied per cohort when it can).
        if text:
            tallies = cohort_tallies(params, every_filter=True)
            if tallies is not None:
                request = FacetRequest(tallies=tallies, with_ids=False, with_countries=False, specs_only=True)
                return _specs(request, params), sum(tallies.values())
            candidates = candidate_ids(params, every_filter=True)
            request = FacetRequest(
                candidates=candidates, with_ids=False, with_countries=False, specs_only=True
            )
            return _specs(request, params), len(candidates)
        request = FacetRequest(
            **params.filter_values(), with_ids=False, with_countries=False, specs_only=True
        )
        return _specs(request, params), None
    # Spec filters: the graph applies them (each facet without its own) and the other filters,
    # over the text's matches (within the year, hours and price ranges) as the engine found
    # them, and counts the total too, as the results' count.
    tallies = cohort_tallies(params) if text and not params.countries else None
    found = candidate_ids(params) if text and tallies is None else None
    request = FacetRequest(
        **params.filter_values(ranges=not text),
        candidates=found,
        tallies=tallies,
        with_ids=False,
        with_countries=False,
    )
    result = facet_search(request)
    return spec_facets(result.specs, params.language, params.units), result.total


def _specs(request: FacetRequest, params: SearchParams) -> dict[str, Any]:
    return spec_facets(facet_search(request).specs, params.language, params.units)


def cache_key(params: SearchParams, version: int) -> str:
    """The search as the spec facets depend on it: its filters (values sorted), its text
    (spaces collapsed), language and units; not its sort, page or page size."""
    specs = sorted(
        [spec.code, "values", sorted(spec.values)]
        if isinstance(spec, SpecValues)
        else [spec.code, "range", spec.minimum, spec.maximum]
        for spec in params.specs
        if isinstance(spec, SpecValues | SpecRange)
    )
    normalised = {
        name: sorted(value) if isinstance(value, tuple) else value
        for name, value in params.filter_values().items()
        if name != "specs"
    } | {
        "specs": specs,
        "text": " ".join(params.text.split()),
        "language": params.language,
        "units": params.units,
    }
    digest = hashlib.sha256(json.dumps(normalised, sort_keys=True).encode()).hexdigest()
    return f"spec-facets:{version}:{digest}"


def _read(key: str) -> SpecFacets | None:
    try:
        raw = get_redis().get(key)
    except RedisError as error:
        logger.warning("spec facet cache unreadable: %s", error)
        return None
    if raw is None:
        return None
    stored = json.loads(raw)
    relaxed = Relaxed(**stored["relaxed"]) if stored["relaxed"] else None
    return SpecFacets(stored["specs"], relaxed, 0, cached=True)


def _write(key: str, answer: SpecFacets) -> None:
    relaxed = {"required": answer.relaxed.required, "words": answer.relaxed.words} if answer.relaxed else None
    try:
        get_redis().set(key, json.dumps({"specs": answer.specs, "relaxed": relaxed}), ex=CACHE_TTL_SECONDS)
    except RedisError as error:
        logger.warning("spec facet cache not written: %s", error)
