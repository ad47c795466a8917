"""The search page: a GET form, so the URL carries the whole state (shareable; the back
button works) and it works without JavaScript; JS adds autocomplete and instant filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from config.errors import DomainError, ServiceUnavailableError
from search.analysis import LANGUAGE_ANALYZERS
from search.params import parse_search_params
from search.query import MAX_WINDOW, SORTS
from search.selectors import SearchResult, search_machines


def search_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"sorts": list(SORTS), "query": request.GET, "error": None}
    status = 200
    try:
        params = parse_search_params(request, language=_page_language(request))
        result: SearchResult | None = search_machines(params)
    except ServiceUnavailableError as error:
        result, status, context["error"] = None, 503, error.message
    except DomainError as error:
        result, status, context["error"] = None, 400, error.message
    if result is not None:
        context.update(_page_context(request, params.offset, params.limit, result))
    return render(request, "search/search.html", context, status=status)


def _page_language(request: HttpRequest) -> str | None:
    """The page searches in the reader's language: the profile's, else the language the page
    is shown in (cookie or Accept-Language, as chosen by LocaleMiddleware)."""
    user = request.user
    if user.is_authenticated:
        return None  # resolve_language reads the profile
    language = (get_language() or "en").split("-")[0]
    return language if language in LANGUAGE_ANALYZERS else None


def _page_context(request: HttpRequest, offset: int, limit: int, result: SearchResult) -> dict[str, object]:
    selected = {name: set(request.GET.getlist(name)) for name in ("category", "maker", "country")}
    facets = {
        name: [{**bucket, "selected": bucket["key"] in selected[name]} for bucket in buckets]
        for name, buckets in result.facets.items()
    }
    base = [(key, value) for key in request.GET for value in request.GET.getlist(key) if key not in ("offset", "cursor")]
    pages = []
    last = min(result.count, MAX_WINDOW)
    for number, start in enumerate(range(0, last, limit), start=1):
        if abs(start - offset) <= 4 * limit or start == 0:
            pages.append({"number": number, "url": "?" + urlencode([*base, ("offset", start)]), "current": start == offset})
    return {"result": result, "facets": facets, "pages": pages, "first_shown": offset + 1 if result.count else 0,
            "last_shown": min(offset + limit, result.count)}
