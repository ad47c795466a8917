"""The search page: a GET form, so the URL carries the whole state (shareable; the back
button works) and it works without JavaScript; JS adds autocomplete and instant filters.

The page is the results: its spec facets are a fragment (`spec_facets_fragment`, the same
parameters) that the page's first script requests while the rest of it loads, and that
fills the filter column when it comes (search/spec_facets.py)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from core.errors import DomainError, ServiceUnavailableError
from core.pages import page_language
from marketplace.preferences import viewer_preferences
from search.analysis import LANGUAGE_ANALYZERS
from search.page import result_cards, selected_filters, switched
from search.params import parse_search_params
from search.query import MAX_WINDOW, SORTS
from search.selectors import SearchResult, faceted_search
from search.services import search_record
from search.spec_facets import offered, spec_facet_search

FACETS = ("category", "maker", "model", "country")


def search_page(request: HttpRequest) -> HttpResponse:
    # Spec ranges in the URL are in its `units`, price bounds in its `currency`; without them,
    # in the viewer's. A switch of either sends the URL back without them and with what its
    # numbers were written in (`from_units`, `from_currency`): they are converted, not
    # reinterpreted, and the page moves to the URL that says so.
    preferences = viewer_preferences(request)
    if "from_units" in request.GET or "from_currency" in request.GET:
        return HttpResponseRedirect(request.path + "?" + urlencode(switched(request.GET, preferences)))
    units = request.GET.get("units") or preferences.unit_system
    currency = request.GET.get("currency") or preferences.currency
    context: dict[str, object] = {
        "sorts": list(SORTS),
        "query": request.GET,
        "error": None,
        "units": units,
        "currency": currency,
        # the header's switches come back here without the URL's units and currency
        "switch_next": _switch_next(request, units, currency),
    }
    status = 200
    try:
        params = parse_search_params(request, language=_page_language(request), units=units, form=True)
        started = time.perf_counter()
        result: SearchResult | None = faceted_search(params)
    except ServiceUnavailableError as error:
        result, status, context["error"] = None, 503, error.message
    except DomainError as error:
        result, status, context["error"] = None, error.status_code, error.message
    if result is not None:
        context.update(_page_context(request, params.offset, params.limit, result))
        search_id = search_record(
            params=params,
            result=result,
            query=dict(request.GET.lists()),
            latency_ms=(time.perf_counter() - started) * 1000,
            channel="page",
        )
        cards = result_cards(result.results, currency=currency, language=params.language)
        if search_id is not None:  # each result's link says which search and where (clicks)
            for position, card in enumerate(cards, params.offset + 1):
                card["url"] = f"{card['url']}?{urlencode({'sr': str(search_id), 'pos': position})}"
        context["cards"] = cards
        context["chips"] = selected_filters(
            request.GET, language=params.language, units=units, currency=currency
        )
        if offered(params):
            context["spec_facets_url"] = "/search/spec-facets/?" + urlencode(_kept(request))
            context["spec_inputs"] = _spec_inputs(request)
    return render(request, "search/search.html", context, status=status)


def spec_facets_fragment(request: HttpRequest) -> HttpResponse:
    """The spec facets of the search in the query string, as the search page's filter column
    draws them."""
    units = request.GET.get("units") or viewer_preferences(request).unit_system
    context: dict[str, object] = {"error": None}
    status = 200
    specs: dict[str, Any] = {}
    try:
        params = parse_search_params(request, language=_page_language(request), units=units, form=True)
        specs = spec_facet_search(params).specs
    except ServiceUnavailableError as error:
        status, context["error"] = 503, error.message
    except DomainError as error:
        status, context["error"] = error.status_code, error.message
    shown = _spec_facets(request, specs)
    drawn = {spec["code"] for spec in shown}
    # a spec filter whose facet is not drawn (no value left among these machines) still applies
    context["spec_facets"] = shown
    context["spec_inputs"] = [
        (name, value) for name, value in _spec_inputs(request) if _code(name) not in drawn
    ]
    return render(request, "search/_spec_facets.html", context, status=status)


def _switch_next(request: HttpRequest, units: str, currency: str) -> str:
    """Where the header's unit and currency switches come back to: this search without its
    units and currency, saying what its numbers were written in."""
    kept = _kept(request, "units", "currency", "from_units", "from_currency")
    return request.path + "?" + urlencode([*kept, ("from_units", units), ("from_currency", currency)])


def _kept(request: HttpRequest, *left_out: str) -> list[tuple[str, str]]:
    """The query string's pairs but those named; by default, without the page's position and
    order (the spec facets depend on neither)."""
    left_out = left_out or ("offset", "cursor", "sort")
    return [(key, value) for key in request.GET for value in request.GET.getlist(key) if key not in left_out]


def _spec_inputs(request: HttpRequest) -> list[tuple[str, str]]:
    """The spec filters in the URL, kept in the form as hidden inputs until their facets are
    drawn (the form would otherwise drop them when another filter changes)."""
    return [(name, value) for name, value in _kept(request) if name.startswith("spec.") and value]


def _code(name: str) -> str:
    return name.removeprefix("spec.").removesuffix(".min").removesuffix(".max")


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
    base = _kept(request, "offset", "cursor")
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
    previous = next((page for page in pages if page["number"] == offset // limit), None)
    following = next((page for page in pages if page["number"] == offset // limit + 2), None)
    return {
        "result": result,
        "facets": facets,
        "pages": pages,
        "previous_url": previous["url"] if previous else None,
        "next_url": following["url"] if following else None,
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
