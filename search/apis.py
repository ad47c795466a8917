"""GET /api/v1/search/, /api/v1/search/spec-facets/ and /api/v1/search/suggest/."""

from __future__ import annotations

import dataclasses
import time

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import errors
from core.api.views import valid_query
from search.documents import completion_inputs
from search.params import parse_search_params, resolve_language
from search.selectors import Relaxed, faceted_search, suggest_machines
from search.serializers import (
    SearchQuery,
    SearchResultOutput,
    SearchSchema,
    SpecFacetsOutput,
    SuggestionsOutput,
    SuggestQuery,
)
from search.services import search_record
from search.spec_facets import spec_facet_search

SEARCH_EXAMPLE = OpenApiExample(
    "Excavators of 18 to 25 t",
    response_only=True,
    value={
        "count": 1,
        "results": [
            {
                "id": 42,
                "title": "Komatsu PC200-8 excavator",
                "highlight": "<em>Komatsu</em> PC200-8 excavator",
                "maker": "Komatsu",
                "model": "PC200-8",
                "year": 2016,
                "hours": 6200,
                "price": {"amount": "8800000", "currency": "JPY", "minor": 8800000},
                "cover_photo": None,
                "url": "/machines/42/",
                "score": 12.5,
            }
        ],
        "facets": {
            "category": [{"key": "earthmoving/excavators", "label": "Excavators", "count": 1}],
            "maker": [{"key": "komatsu", "label": "Komatsu", "count": 1}],
            "model": [{"key": "komatsu-pc200-8", "label": "Komatsu PC200-8", "count": 1}],
            "country": [{"key": "JP", "label": "Japan", "count": 1}],
        },
        "suggestion": None,
        "relaxed": None,
        "next_cursor": None,
        "language": "en",
    },
)


class SearchApi(APIView):
    permission_classes = [AllowAny]
    schema = SearchSchema()

    @extend_schema(
        summary="Search listings in any language, with filters, facets and spec filters",
        parameters=[SearchQuery],
        responses={200: SearchResultOutput, **errors(422)},
        examples=[SEARCH_EXAMPLE],
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = parse_search_params(request)
        started = time.perf_counter()
        result = faceted_search(params)
        search_record(
            params=params,
            result=result,
            query=dict(request.query_params.lists()),
            latency_ms=(time.perf_counter() - started) * 1000,
            channel="api",
        )
        response = Response(
            {
                "count": result.count,
                "results": result.results,
                "facets": result.facets,
                "suggestion": result.suggestion,
                "relaxed": relaxed_output(result.relaxed),
                "next_cursor": result.next_cursor,
                "language": params.language,
            }
        )
        response["Server-Timing"] = f"engine;dur={result.took_ms}"  # the engine's own time for the page
        return response


class SpecFacetsApi(APIView):
    permission_classes = [AllowAny]
    schema = SearchSchema()

    @extend_schema(
        summary="The spec facets of a search, beside its results (same parameters as the search)",
        description=(
            "Counted by the catalogue graph over the listings the search finds, with the same "
            "filter semantics; requested beside /api/v1/search/ so that the results never wait "
            "for them. The sort and page parameters are accepted and do not change the answer. "
            "Cached for a short while; a change to the catalogue makes every cached answer stale."
        ),
        parameters=[SearchQuery],
        responses={200: SpecFacetsOutput, **errors(422)},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = parse_search_params(request)
        facets = spec_facet_search(params)
        response = Response(
            {
                "specs": facets.specs,
                "relaxed": relaxed_output(facets.relaxed),
                "language": params.language,
                "units": params.units,
            }
        )
        response["Server-Timing"] = (
            f"graph;dur={facets.graph_ms}, cache;desc={'hit' if facets.cached else 'miss'}"
        )
        return response


def relaxed_output(relaxed: Relaxed | None) -> dict[str, int] | None:
    return {"required_words": relaxed.required, "words": relaxed.words} if relaxed else None


class SuggestApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Completions of what a buyer is typing: categories, makers, models (most listings first), titles",
        parameters=[SuggestQuery],
        responses={200: SuggestionsOutput},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        # read as the completion field's inputs are written: control characters mean nothing
        # typed into a search box, and the field refuses some of them (its own separators)
        typed = completion_inputs([valid_query(SuggestQuery, request).get("q", "")])
        prefix = typed[0] if typed else ""
        language = resolve_language(request)
        completions, took_ms = suggest_machines(prefix, language) if prefix else ([], 0)
        response = Response(
            {
                "suggestions": [completion.text for completion in completions],
                "completions": [dataclasses.asdict(completion) for completion in completions],
            }
        )
        response["Server-Timing"] = f"engine;dur={took_ms}"
        return response
