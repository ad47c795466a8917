"""Error pages in the site's design, in the reader's language: a missing, draft or foreign
object is a 404 or a 403 page, never a 500 or Django's debug page, whatever DEBUG says."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
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
