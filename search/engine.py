"""The search engine's transport: one call to the machine index with the engine's failures
translated into the service's errors, and the two reads the graph's part of a search needs
(the ids of the text matches, or their count per cohort)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ConnectionError as EngineConnectionError
from elasticsearch import TransportError

from core.errors import DomainError, ServiceUnavailableError
from graph.facets import Tallies
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.query import CANDIDATES_PAGE, SearchParams, build_candidates, build_cohort_tallies

logger = logging.getLogger(__name__)


def engine_call(method: str, **kwargs: Any) -> dict[str, Any]:
    """`method` of the engine's client on the machine index; a 503 when the engine cannot
    answer, a 400 when it refuses the request."""
    try:
        response: dict[str, Any] = getattr(get_client(), method)(index=alias_name(MACHINES), **kwargs)
    except (EngineConnectionError, TransportError) as error:
        status = getattr(error, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and status != 429:
            # the request was built from checked parameters, so this is worth a look; the client
            # is told plainly rather than with a 500
            logger.warning("the search engine refused a request: %s", error)
            raise DomainError("The search could not run as asked.", code="invalid_search") from error
        raise ServiceUnavailableError("Search is unavailable right now; please try again shortly.") from error
    return response


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
