"""The OpenAPI document is complete: every operation has a summary, a typed request (when it
takes one) and typed responses, declares the errors, and no schema in it is a free-form object."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def free_form_objects(schema: Any, where: str, document: dict[str, Any], seen: set[str]) -> list[str]:
    """Places in `schema` that are objects saying nothing of their content."""
    found: list[str] = []
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                found += free_form_objects(document["components"]["schemas"][name], name, document, seen)
            return found
        additional = schema.get("additionalProperties")
        typed_values = isinstance(additional, dict) and bool(additional)  # {} would be anything
        closed = additional is False
        if (
            schema.get("type") == "object"
            and not schema.get("properties")
            and not typed_values
            and not closed
        ):
            found.append(where)
        for key, value in schema.items():
            if key in ("properties",):
                for name, inner in value.items():
                    found += free_form_objects(inner, f"{where}.{name}", document, seen)
            elif isinstance(value, (dict, list)):
                found += free_form_objects(value, f"{where}.{key}", document, seen)
    elif isinstance(schema, list):
        for index, inner in enumerate(schema):
            found += free_form_objects(inner, f"{where}[{index}]", document, seen)
    return found


def test_every_operation_has_a_summary_and_a_tag(document: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}" for method, path, operation in operations(document) if not operation.get("summary")
    ]

    assert operations(document)
    assert missing == []


def test_every_answer_is_typed_and_every_body_too(document: dict[str, Any]) -> None:
    untyped = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status == "204":
                assert "content" not in response, f"{method} {path} {status}"
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                untyped.append(f"{method} {path} {status}")
        body = operation.get("requestBody")
        if body is not None:
            for media_type, content in body["content"].items():
                if "schema" not in content:
                    untyped.append(f"{method} {path} request {media_type}")

    assert untyped == []


def test_no_schema_is_a_free_form_object(document: dict[str, Any]) -> None:
    loose: list[str] = []
    for method, path, operation in operations(document):
        seen: set[str] = set()
        for status, response in operation["responses"].items():
            for content in response.get("content", {}).values():
                loose += free_form_objects(content["schema"], f"{method} {path} {status}", document, seen)
        for content in operation.get("requestBody", {}).get("content", {}).values():
            loose += free_form_objects(content["schema"], f"{method} {path} request", document, seen)

    assert loose == []


def test_every_operation_declares_the_errors_any_request_may_get(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        declared = set(operation["responses"])
        assert {"400", "401", "429", "503"} <= declared, f"{method} {path}"
        if "requestBody" in operation:
            assert {"413", "415"} <= declared, f"{method} {path}"
        if "{" in path:
            assert "404" in declared, f"{method} {path}"
        for status in declared - {"200", "201", "204"}:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_request_bodies_are_closed(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            name = content["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name]["additionalProperties"] is False, f"{method} {path}"


def test_search_parameters_are_typed_and_bounded(document: dict[str, Any]) -> None:
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/search/"]["get"]["parameters"]}

    assert parameters["limit"] == {"type": "integer", "maximum": 100, "minimum": 1, "default": 20}
    assert parameters["hours_max"]["type"] == "integer"
    assert parameters["hours_max"]["maximum"] == 500_000
    assert max(option["maxLength"] for option in parameters["q"]["oneOf"]) == 200
    assert parameters["category"]["type"] == "array"
    assert parameters["category"]["maxItems"] == 20
    assert parameters["price_min"]["pattern"]
    assert all(
        schema.get("type") != "string" or "maxLength" in schema or "enum" in schema or "pattern" in schema
        for schema in parameters.values()
    )


def test_the_replayed_bid_and_the_idempotency_key_are_documented(document: dict[str, Any]) -> None:
    bid = document["paths"]["/api/v1/auctions/{auction_id}/bids/"]["post"]
    key = next(p for p in bid["parameters"] if p["name"] == "Idempotency-Key")

    assert {"200", "201"} <= set(bid["responses"])
    assert key["required"] is True
    assert key["schema"]["minLength"] == 1
    assert key["schema"]["maxLength"] == 200


def test_json_operations_take_json_only_and_the_photo_is_a_file(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        media_types = set(operation.get("requestBody", {}).get("content", {}))
        if path.endswith("/photos/"):
            assert media_types == {"multipart/form-data"}
            name = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit(
                "/", 1
            )[-1]
            image = document["components"]["schemas"][name]["properties"]["image"]
            assert image == {"type": "string", "format": "binary", "description": image["description"]}
        elif media_types:
            assert media_types == {"application/json"}, f"{method} {path}"


def test_a_category_parent_is_documented_nullable(document: dict[str, Any]) -> None:
    assert document["components"]["schemas"]["Category"]["properties"]["parent"]["nullable"] is True
