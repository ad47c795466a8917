"""GET /api/search/ and /api/search/suggest/."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search.faceted import faceted_search
from search.params import parse_search_params, resolve_language
from search.selectors import suggest_machines

SEARCH_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=description)
    for name, description in [
        ("q", "Free text in any language"),
        ("lang", "Buyer's language when not logged in (else the profile's, else Accept-Language)"),
        ("category", "Category slug (includes subcategories); repeatable"),
        ("maker", "Maker slug; repeatable"),
        ("model", "Model slug; repeatable"),
        ("country", "ISO country code; repeatable"),
        ("year_min", "Earliest year"),
        ("year_max", "Latest year"),
        ("hours_max", "Most operating hours"),
        ("price_min", "Lowest price in minor units of `currency`"),
        ("price_max", "Highest price in minor units of `currency`"),
        ("currency", "Currency of price_min/price_max (default EUR)"),
        ("sort", "relevance (default), price, -price, year, -year, hours, newest"),
        ("offset", "Start of the page (offset + limit ≤ 10000)"),
        ("limit", "Page size, 1 to 100"),
        ("cursor", "next_cursor of the previous page, for deep paging (search_after)"),
        ("units", "metric (default) or imperial: the unit of spec.<code>.min/max and of the spec facets"),
        (
            "spec.<code>.min",
            "Lowest value of a number spec, e.g. spec.operating_weight.min=5 (t, or lb with units=imperial)",
        ),
        ("spec.<code>.max", "Highest value of a number spec"),
        ("spec.<code>", "A value of an enumeration spec, e.g. spec.fuel=diesel; repeatable"),
        ("facets", "0 to skip facet counts (faster)"),
    ]
]


class SearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=OpenApiTypes.OBJECT, tags=["search"])
    def get(self, request: Request) -> Response:
        params = parse_search_params(request)
        result = faceted_search(params)
        response = Response(
            {
                "count": result.count,
                "results": result.results,
                "facets": result.facets,
                "suggestion": result.suggestion,
                "next_cursor": result.next_cursor,
                "language": params.language,
            }
        )
        # the engine's own time for the page and for the text candidates (part of the graph's)
        response["Server-Timing"] = (
            f"engine;dur={result.took_ms}, candidates;dur={result.candidates_ms}, graph;dur={result.graph_ms}"
        )
        return response


class SuggestApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=SEARCH_PARAMETERS[:2], responses=OpenApiTypes.OBJECT, tags=["search"])
    def get(self, request: Request) -> Response:
        prefix = request.query_params.get("q", "").strip()[:100]
        language = resolve_language(request)
        suggestions, took_ms = suggest_machines(prefix, language) if prefix else ([], 0)
        response = Response({"suggestions": suggestions})
        response["Server-Timing"] = f"engine;dur={took_ms}"
        return response
