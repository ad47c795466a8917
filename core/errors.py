"""Typed errors services raise, each with a stable machine-readable code and an HTTP status.

    DomainError (400 invalid / validation_error: the request does not match its schema)
    ├── NotFoundError (404 not_found)
    ├── ForbiddenError (403 forbidden)
    ├── ConflictError (409 conflict: the resource's state refuses it)
    ├── TooLargeError (413 body_too_large)
    ├── UnprocessableError (422 unprocessable: well formed, but a rule the schema cannot
    │                       express refuses it, such as an unknown model id)
    ├── TooManyRequestsError (429 rate_limited: the user's own limit on a write, such as
    │                         enquiries an hour; `retry_after` seconds)
    └── ServiceUnavailableError (503 service_unavailable)

The API answers every one of them as {"error": {"code", "message", "fields"}}
(core/api/errors.py); the pages show the message in the site's design.
"""

from __future__ import annotations

from rest_framework import status


class DomainError(Exception):
    """Base of the typed errors services raise; `code` is stable and machine-readable."""

    code = "invalid"
    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND


class ForbiddenError(DomainError):
    code = "forbidden"
    status_code = status.HTTP_403_FORBIDDEN


class ConflictError(DomainError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT


class TooLargeError(DomainError):
    code = "body_too_large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class UnprocessableError(DomainError):
    code = "unprocessable"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class TooManyRequestsError(DomainError):
    code = "rate_limited"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ServiceUnavailableError(DomainError):
    code = "service_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
