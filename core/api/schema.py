"""How the OpenAPI document is built (drf-spectacular hooks): it describes version 1 alone,
and every operation declares the error answers any request may get."""

from __future__ import annotations

from typing import Any

from core.api.versioning import CURRENT


def current_version_only(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Drop the deprecated unversioned paths: they answer the same contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(CURRENT)]
