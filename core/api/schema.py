"""How the OpenAPI document is built (drf-spectacular hooks and helpers).

* It describes version 1 alone (`current_version_only`).
* Every error answer has the one error body, `Error`. Views declare the errors their own
  rules give (`errors(403, 404, 409)`); the answers any request may get whatever the
  operation are added to every operation by `declare_common_errors`, from the same places
  that produce them: 400 (a malformed request, too many parameters), 401 (a wrong token),
  429 (throttles), 503 (the process's request pool, core/limits.py), 413 and 415 for
  operations with a body and 404 for those with an id in their path.
* Request bodies are closed (`additionalProperties: false`): `StrictInput` refuses fields an
  operation does not define.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.versioning import CURRENT

ERROR_DESCRIPTIONS = {
    400: "The request does not match this operation's schema (the fields say where).",
    401: "No credentials, or a token that is not valid.",
    403: "These credentials may not do this.",
    404: "There is no such object (or it is not visible to you).",
    409: "The object's current state refuses this.",
    413: "The body is larger than this operation accepts.",
    415: "The body is not in a media type this operation takes (JSON, or multipart for photos).",
    422: "Well formed, but refers to something that does not exist or breaks a rule the schema cannot state.",
    429: "Too many requests: retry after the Retry-After header's seconds.",
    503: "The server is at capacity or a backing service is down: retry after Retry-After.",
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages by field name; a nested object's fields nest likewise.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    },
}


class AutoSchema(openapi.AutoSchema):
    """Components are named after what they carry: `MachineOutput` is "Machine" and
    `MachineInput` "MachineRequest" (drf-spectacular adds "Request" to request bodies)."""

    def get_serializer_name(self, serializer: serializers.Serializer[Any], direction: Any) -> str:
        name = serializer.__class__.__name__
        for suffix in ("Output", "Input"):
            if name.endswith(suffix) and name != suffix:
                return name.removesuffix(suffix)
        return name


@extend_schema_field({"$ref": "#/components/schemas/FieldErrors"})
class FieldErrorsField(serializers.DictField):
    pass


class ErrorDetail(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. validation_error, bid_too_low")
    message = serializers.CharField(help_text="For a person, in English")
    fields = FieldErrorsField()  # type: ignore[assignment]  # named as the body names it


@extend_schema_serializer(component_name="Error")
class ErrorOutput(serializers.Serializer[Any]):
    error = ErrorDetail()


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error answers an operation's own rules give, for `extend_schema(responses=…)`."""
    return {
        status: OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[status]) for status in statuses
    }


def current_version_only(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Drop the deprecated unversioned paths: they answer the same contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(CURRENT)]


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}


def declare_common_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing: the errors any operation may answer; closed request bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    if "Error" not in schemas:
        schemas["Error"] = {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"$ref": "#/components/schemas/FieldErrors"},
                    },
                }
            },
        }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            common = [400, 401, 429, 503]
            if "requestBody" in operation:
                common += [413, 415]
            if "{" in path:
                common.append(404)
            for status in common:
                if str(status) not in responses:
                    responses[str(status)] = {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
                if status in (429, 503):
                    responses[str(status)]["headers"] = _RETRY_AFTER
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result
