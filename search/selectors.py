"""Running searches against the engine and shaping what comes back."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from elasticsearch import ConnectionError as EngineConnectionError
from elasticsearch import TransportError

from core.errors import DomainError, ServiceUnavailableError
from core.money import Money
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.query import SearchParams, build_did_you_mean, build_search, build_suggest, encode_cursor

logger = logging.getLogger(__name__)

FEW_HITS = 3


@dataclass(frozen=True)
class SearchResult:
    count: int
    results: list[dict[str, Any]]
    facets: dict[str, Any]  # name -> [{key, label, count}]; "specs": see search/faceted.py
    suggestion: str | None
    next_cursor: str | None
    took_ms: int  # the engine's own time for the page
    graph_ms: int = 0  # the graph's part, the text candidates' requests included
    candidates_ms: int = 0  # the engine's own time for the text candidates the graph counted


def engine_call(method: str, **kwargs: Any) -> dict[str, Any]:
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


def _text_for(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


LABEL_TTL_SECONDS = 300.0
_label_cache: dict[str, tuple[float, dict[str, dict[str, str]]]] = {}


def facet_labels(language: str) -> dict[str, dict[str, str]]:
    """Facet labels in `language`. Taxonomy names change rarely, so each process keeps them
    for a few minutes instead of reading three tables on every search."""
    cached = _label_cache.get(language)
    if cached is not None and time.monotonic() - cached[0] < LABEL_TTL_SECONDS:
        return cached[1]
    labels = _read_labels(language)
    _label_cache[language] = (time.monotonic(), labels)
    return labels


def clear_label_cache() -> None:
    _label_cache.clear()


def _read_labels(language: str) -> dict[str, dict[str, str]]:
    from marketplace.models import Category, Country, MachineModel, Maker

    return {
        "category": {c.slug: c.name(language) for c in Category.objects.all()},
        "maker": {m.slug: (m.names.get(language) or m.name) for m in Maker.objects.all()},
        "model": {
            m.slug: f"{m.maker.names.get(language) or m.maker.name} {m.model_number}"
            for m in MachineModel.objects.select_related("maker")
        },
        "country": {
            c.code: str(c.names.get(language) or c.names.get("en") or c.code) for c in Country.objects.all()
        },
    }


def _hit(hit: dict[str, Any], language: str) -> dict[str, Any]:
    source = hit["_source"]
    highlight = hit.get("highlight", {})
    snippet = next(
        (fragments[0] for name, fragments in highlight.items() if name.endswith(f".{language}")), None
    )
    snippet = snippet or next((fragments[0] for fragments in highlight.values()), None)
    return {
        "id": source["id"],
        "title": _text_for(source.get("title", {}), language),
        "highlight": snippet,
        "maker": source["maker"]["name"],
        "model": source["model_number"],
        "year": source["year"],
        "hours": source.get("hours"),
        "price": Money(source["price"]["amount"], source["price"]["currency"]).to_json(),
        "cover_photo": source.get("cover_photo"),
        "url": reverse("machine-detail", args=[source["id"]]),
        "score": hit.get("_score"),
    }


def search_machines(params: SearchParams, labels: dict[str, dict[str, str]] | None = None) -> SearchResult:
    """One page of results with the engine's facets, labelled with `labels` (read from the
    database when not given: pass them when calling from another thread)."""
    response = engine_call("search", body=build_search(params))
    hits = response["hits"]["hits"]
    if labels is None:
        labels = facet_labels(params.language) if params.facets else {}
    facets = {
        name: [
            {
                "key": bucket["key"],
                "label": labels[name].get(bucket["key"], bucket["key"]),
                "count": bucket["doc_count"],
            }
            for bucket in aggregation["values"]["buckets"]
        ]
        for name, aggregation in response.get("aggregations", {}).items()
    }
    total = response["hits"]["total"]["value"]
    suggestion = _did_you_mean(params.text) if total < FEW_HITS and params.text.strip() else None
    next_cursor = (
        encode_cursor(hits[-1]["sort"]) if len(hits) == params.limit and "sort" in hits[-1] else None
    )
    return SearchResult(
        total, [_hit(hit, params.language) for hit in hits], facets, suggestion, next_cursor, response["took"]
    )


def _did_you_mean(text: str) -> str | None:
    response = engine_call("search", body=build_did_you_mean(text))
    options = response["suggest"]["did_you_mean"][0]["options"]
    return options[0]["text"] if options and options[0]["text"] != text.strip().lower() else None


def suggest_machines(prefix: str, language: str) -> tuple[list[str], int]:
    """Completions for `prefix`, and the engine's own time for them in ms."""
    response = engine_call("search", body=build_suggest(prefix, language))
    return [option["text"] for option in response["suggest"]["machines"][0]["options"]], response["took"]
