"""What every page shares: the reader's language (from the URL, the cookie, the browser or the
profile) and the page's URLs in each language; and error pages in the site's design, in the
reader's language: a missing, draft or foreign object is a 404 or a 403 page, never a 500 or
Django's debug page, whatever DEBUG says."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.api.errors import is_api_path
from core.errors import DomainError


def page_language() -> str:
    """The reader's language as a bare code ("ja" for "ja-JP"), to pick texts by language."""
    return (get_language() or "en").split("-")[0]


def _headings() -> dict[int, str]:
    return {
        400: _("This request could not be understood"),
        403: _("You may not see this page"),
        404: _("This page does not exist"),
        409: _("This cannot be done now"),
        422: _("This cannot be done as asked"),
        500: _("Something went wrong on our side"),
        503: _("The service is busy"),
    }


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    headings = _headings()
    defaults = {
        403: _("Sign in with the account that owns it, or go back to the listings."),
        404: _("The listing may have been removed, sold or never published."),
        500: _("We have been told about it; please try again in a moment."),
    }
    return render(
        request,
        "error.html",
        {
            "status": status,
            "heading": headings.get(status, headings[400]),
            "message": message or defaults.get(status, ""),
        },
        status=status,
    )


class ErrorPageMiddleware:
    """Outside /api/, a domain error no view handled is shown as its page (404, 403, 409…)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api_path(request.path):
            return None
        if isinstance(exception, DomainError):
            # a missing object: the page's own words (whatever is missing, the reader's way out
            # is the same); other refusals: their message, in the reader's language (the
            # catalogue has the messages pages show)
            if exception.status_code == 404:
                return error_page(request, 404)
            return error_page(request, exception.status_code, _(exception.message))
        if isinstance(exception, Http404):
            return error_page(request, 404)
        if isinstance(exception, PermissionDenied):
            return error_page(request, 403)
        if isinstance(exception, SuspiciousOperation):  # too many parameters…: whatever DEBUG says
            return error_page(request, 400)
        return None


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Drawn without the request's context: what failed may be what the context reads."""
    headings = _headings()
    context = {
        "status": 500,
        "heading": headings[500],
        "message": _("We have been told about it; please try again in a moment."),
    }
    return HttpResponse(render_to_string("error.html", context), status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


class PageLanguageMiddleware:
    """The language a page is shown in, after LocaleMiddleware's guess (cookie, then the
    browser's Accept-Language): a `lang` in the query string wins (each language has its own
    URL, which search engines index and `hreflang` links name); without one or a choice in
    the language cookie, a signed-in user's profile language."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        chosen = _page_language_choice(request)
        if chosen is not None and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen is not None and _asked(request) == chosen:  # the next page keeps it
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
            )
        return response


def _asked(request: HttpRequest) -> str | None:
    try:
        return request.GET.get("lang")
    except SuspiciousOperation:
        return None


def _page_language_choice(request: HttpRequest) -> str | None:
    if is_api_path(request.path):
        return None  # the API answers in English, whatever the page language
    supported = {code for code, _name in settings.LANGUAGES}
    asked = _asked(request)  # with too many parameters, none: the view's own reading says so
    if asked in supported:
        return asked
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in supported:
        return None  # the reader switched: LocaleMiddleware read it
    user = getattr(request, "user", None)
    profile = (
        getattr(user, "primary_language_id", None) if user is not None and user.is_authenticated else None
    )
    return profile if profile in supported else None


def page_urls(request: HttpRequest) -> dict[str, Any]:
    """Template context: this page's canonical URL in the language it is shown in, and its URL
    in each language (`hreflang` alternates; English, the default, without `lang`)."""
    try:
        kept = [(key, value) for key in request.GET for value in request.GET.getlist(key) if key != "lang"]
    except SuspiciousOperation:  # the 400 page of a query string too long to read
        return {}

    def url(language: str) -> str:
        pairs = kept if language == settings.LANGUAGE_CODE else [*kept, ("lang", language)]
        query = urlencode(pairs)
        return request.build_absolute_uri(request.path + (f"?{query}" if query else ""))

    alternates = [(code, url(code)) for code, _name in settings.LANGUAGES]
    return {"canonical_url": url(page_language()), "language_urls": alternates}


def robots_txt(request: HttpRequest) -> HttpResponse:
    """What crawlers may read: the pages, not the API, the admin or a reader's own pages."""
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /sell/",
        "Disallow: /watchlist/",
        "Disallow: /staff/",
        "Disallow: /machines/*/watchers/",  # a listing's live watcher count: an endless stream
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
