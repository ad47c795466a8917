"""The search page: a GET form, so the URL carries the whole state (shareable; the back
button works) and it works without JavaScript; JS adds autocomplete and instant filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import DomainError, ServiceUnavailableError
from core.pages import page_language
from marketplace.preferences import viewer_preferences
from search.analysis import LANGUAGE_ANALYZERS
from search.params import parse_search_params
from search.query import MAX_WINDOW, SORTS
from search.selectors import SearchResult, faceted_search
from search.serializers import UNIT_SYSTEMS

FACETS = ("category", "maker", "model", "country")


def search_page(request: HttpRequest) -> HttpResponse:
    # Spec ranges in the URL are in its `units`; without one, in the viewer's unit system.
    units = request.GET.get("units") or viewer_preferences(request).unit_system
    context: dict[str, object] = {
        "sorts": list(SORTS),
        "query": request.GET,
        "error": None,
        "units": units,
        "unit_systems": UNIT_SYSTEMS,
    }
    status = 200
    try:
        params = parse_search_params(request, language=_page_language(request), units=units, form=True)
        result: SearchResult | None = faceted_search(params)
    except ServiceUnavailableError as error:
        result, status, context["error"] = None, 503, error.message
    except DomainError as error:
        result, status, context["error"] = None, error.status_code, error.message
    if result is not None:
        context.update(_page_context(request, params.offset, params.limit, result))
    return render(request, "search/search.html", context, status=status)


def _page_language(request: HttpRequest) -> str | None:
    """The page searches in the reader's language: the profile's, else the language the page
    is shown in (cookie or Accept-Language, as chosen by LocaleMiddleware)."""
    user = request.user
    if user.is_authenticated:
        return None  # resolve_language reads the profile
    language = page_language()
    return language if language in LANGUAGE_ANALYZERS else None


def _page_context(request: HttpRequest, offset: int, limit: int, result: SearchResult) -> dict[str, object]:
    selected = {name: set(request.GET.getlist(name)) for name in FACETS}
    facets = {
        name: [{**bucket, "selected": bucket["key"] in selected[name]} for bucket in result.facets[name]]
        for name in FACETS
        if name in result.facets
    }
    base = [
        (key, value)
        for key in request.GET
        for value in request.GET.getlist(key)
        if key not in ("offset", "cursor")
    ]
    pages = []
    last = min(result.count, MAX_WINDOW)
    for number, start in enumerate(range(0, last, limit), start=1):
        if abs(start - offset) <= 4 * limit or start == 0:
            pages.append(
                {
                    "number": number,
                    "url": "?" + urlencode([*base, ("offset", start)]),
                    "current": start == offset,
                }
            )
    return {
        "result": result,
        "facets": facets,
        "spec_facets": _spec_facets(request, result.facets.get("specs", {})),
        "pages": pages,
        "first_shown": offset + 1 if result.count else 0,
        "last_shown": min(offset + limit, result.count),
    }


def _spec_facets(request: HttpRequest, specs: dict[str, Any]) -> list[dict[str, Any]]:
    """Spec facets as the template draws them: enumerations with their ticked values, numbers
    with the typed bounds and histogram bars scaled to the tallest bucket."""
    shown = []
    for code, facet in specs.items():
        item = {**facet, "code": code}
        if facet["kind"] == "enum":
            ticked = set(request.GET.getlist(f"spec.{code}"))
            item["values"] = [{**value, "selected": value["key"] in ticked} for value in facet["values"]]
        else:
            tallest = max(bucket["count"] for bucket in facet["buckets"]) or 1
            item["buckets"] = [
                {**b, "height": max(4, round(100 * b["count"] / tallest)) if b["count"] else 0}
                for b in facet["buckets"]
            ]
            item["value_min"] = request.GET.get(f"spec.{code}.min", "")
            item["value_max"] = request.GET.get(f"spec.{code}.max", "")
        shown.append(item)
    return shown
