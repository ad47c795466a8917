"""Every API error has one shape: {"error": {"code", "message", "fields"}} with a 4xx or 5xx status.

Domain services raise `core.errors.DomainError` subclasses with stable codes; DRF's own exceptions
(validation, authentication, throttling, 404) are translated to the same shape by
`exception_handler`. Whatever never reaches DRF (a path that matches no route, a body Django
refuses, a bug) is answered in the same shape by `ApiErrorMiddleware`, whatever DEBUG says:
an API client never receives an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.middleware import ResponseMiddleware
from core.errors import DomainError, TooManyRequestsError

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# The code and message of an error answered without a more specific one.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    406: ("not_acceptable", "This address answers only application/json."),
    413: ("body_too_large", "The request body is larger than this address accepts."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("throttled", "Too many requests; retry later."),
    500: ("internal_error", "The server failed to answer this request; it has been logged."),
    503: ("service_unavailable", "The service cannot answer right now; retry later."),
}
# Headers an error answer keeps when its body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Deprecation", "Sunset", "Link")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    default_code, default_message = STATUS_ERRORS.get(status, STATUS_ERRORS[500 if status >= 500 else 400])
    return JsonResponse(error_body(code or default_code, message or default_message), status=status)


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def _flatten_fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {}


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return _flatten_fields(value)
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        # errors of a list's items: by the item's index, like a nested object's fields
        return {str(index): _messages(item) for index, item in enumerate(value) if item}
    return [str(value)]


def flat_errors(detail: Any) -> dict[str, list[str]]:
    """A serializer's errors as one list of messages per field, nested fields named with dots
    ("price.amount"), for a page that shows them beside its inputs."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}", item)
        else:
            flat.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return flat


def validation_error_body(detail: Any) -> dict[str, Any]:
    """The error body of a serializer's errors: by field, nested as the request nests."""
    fields = _flatten_fields(detail)
    non_field = fields.pop("non_field_errors", None)
    if isinstance(detail, list):
        non_field = _messages(detail)
    message = "; ".join(non_field) if non_field else "The request has invalid fields."
    return error_body("validation_error", message, fields)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequestsError) else None
        return Response(
            error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):  # too many parameters: a 400 whatever DEBUG says
        return Response(error_body("bad_request", str(exc) or "The request could not be read."), status=400)

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc.detail)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(str(code), str(exc.detail))
    return response


def _exception_response(exception: Exception) -> JsonResponse:
    if isinstance(exception, DomainError):
        return JsonResponse(
            error_body(exception.code, exception.message, exception.fields), status=exception.status_code
        )
    if isinstance(exception, Http404):
        return error_response(404)
    if isinstance(exception, PermissionDenied):
        return error_response(403)
    if isinstance(exception, RequestDataTooBig):
        return error_response(413)
    if isinstance(exception, (SuspiciousOperation, BadRequest)):
        return error_response(400, message=str(exception) or None)
    if isinstance(exception, (OperationalError, InterfaceError)):  # no connection to be had in time
        logger.warning("database unavailable for an API request: %s", exception)
        response = error_response(
            503, "database_unavailable", "The database is not answering; retry shortly."
        )
        response["Retry-After"] = "1"
        return response
    logger.error("API request failed", exc_info=exception)
    return error_response(500)


def _as_json(response: HttpResponseBase) -> HttpResponseBase:
    if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
        return response
    replaced = error_response(response.status_code)
    for header in _KEPT_HEADERS:
        if header in response:
            replaced[header] = response[header]
    return replaced


class ApiErrorMiddleware(ResponseMiddleware):
    """First in the chain: under /api/, an exception no view handled becomes the JSON error
    body (a bug: 500, logged), and an error answer that is not JSON (Django's 404 for a path
    no route matches, its 400 for a body it refuses, a debug page) is replaced by one."""

    def rewrite(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return _as_json(response) if is_api_path(request.path) else response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        return _exception_response(exception) if is_api_path(request.path) else None
