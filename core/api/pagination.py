"""Pages of a list: `limit` and `offset` are checked, never silently clamped or ignored, and
bounded, so no request can ask the server to build an unbounded answer in memory."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000


def query_int(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """The query parameter `name` as a whole number within [minimum, maximum]; 400 otherwise."""
    raw = request.query_params.getlist(name)
    if not raw:
        return default
    if len(raw) > 1:
        raise ValidationError({name: ["Give this parameter once."]})
    text = raw[0].strip()
    if not text.lstrip("-").isdigit() or len(text) > 12:
        raise ValidationError({name: [f"Must be a whole number from {minimum} to {maximum}."]})
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationError({name: [f"Must be a whole number from {minimum} to {maximum}."]})
    return value


class BoundedPagination(LimitOffsetPagination):
    """Limit 1 to 100 (20 by default), offset 0 to 10,000; anything else is a 400."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET

    def get_limit(self, request: Request) -> int:
        return query_int(
            request, self.limit_query_param, default=self.default_limit, minimum=1, maximum=self.max_limit
        )

    def get_offset(self, request: Request) -> int:
        return query_int(request, self.offset_query_param, default=0, minimum=0, maximum=self.max_offset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": "Number of results to return per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "The index of the first result to return.",
                "schema": {"type": "integer", "minimum": 0, "maximum": self.max_offset, "default": 0},
            },
        ]
