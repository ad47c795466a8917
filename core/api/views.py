"""What every API view shares: reading a request through its Input serializer."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def valid_body(
    serializer_class: type[serializers.Serializer[Any]], request: Request, **kwargs: Any
) -> dict[str, Any]:
    """The request body, validated by `serializer_class` (a 400 naming each bad field)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def valid_query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The query string, validated by `serializer_class`: a repeatable parameter is a
    ListField and takes every value; any other given twice is a 400."""
    fields = serializer_class().fields
    data: dict[str, Any] = {}
    repeated: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if isinstance(fields.get(name), serializers.ListField):
            data[name] = values
        elif len(values) > 1:
            repeated[name] = ["Give this parameter once."]
        else:
            data[name] = values[0]
    if repeated:
        raise serializers.ValidationError(repeated)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
