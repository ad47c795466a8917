"""What a search leaves behind: its event (the searches, the zero-result queries, the
impressions every seller's dashboard counts)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from events import producers as events
from search.params import is_search_parameter
from search.query import SearchParams
from search.selectors import SearchResult

# the search's parameters that are not filters: the text, the paging, the language, the facets
NOT_FILTERS = frozenset({"q", "offset", "limit", "cursor", "lang", "facets"})
MAX_FILTERS = 60
MAX_VALUE = 200


def search_record(
    *,
    params: SearchParams,
    result: SearchResult,
    query: Mapping[str, list[str]],
    latency_ms: float,
    channel: str,
) -> UUID | None:
    """The buyer_searched_machines event of a page of results; its id is the search's, which
    the result links carry to the listing pages (clicks, positions)."""
    filters = {
        name: ",".join(values)[:MAX_VALUE]
        for name, values in query.items()
        if name not in NOT_FILTERS and is_search_parameter(name) and any(values)
    }
    return events.buyer_searched_machines(
        query=params.text[:200],
        language=params.language,
        filters=dict(sorted(filters.items())[:MAX_FILTERS]),
        result_count=result.count,
        relaxed=result.relaxed is not None,
        latency_ms=round(latency_ms, 2),
        page=params.offset // max(1, params.limit) + 1,
        result_ids=[int(hit["id"]) for hit in result.results][:100],
        channel="page" if channel == "page" else "api",
    )
