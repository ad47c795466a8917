"""The API's version is in its path: /api/v1/. The unversioned /api/ paths that clients used
before it still answer, with the same contract, and say in every answer that they are
deprecated and where their successor is (RFC 9745 `Deprecation`, RFC 8594 `Sunset`, and a
`Link` with rel="successor-version"), so a client can move before they are removed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase

from core.api.middleware import ResponseMiddleware

CURRENT = "/api/v1/"
LEGACY = "/api/"
DEPRECATED_SINCE = "@1796515200"  # 2026-12-06, as an RFC 9651 date
SUNSET = "Thu, 01 Jul 2027 00:00:00 GMT"


def successor(path: str) -> str | None:
    """The current path for a deprecated one, None for a path that is current (or no API's)."""
    if not path.startswith(LEGACY) or path.startswith(CURRENT):
        return None
    return CURRENT + path.removeprefix(LEGACY)


class DeprecatedPathsMiddleware(ResponseMiddleware):
    def rewrite(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        target = successor(request.path)
        if target is not None:
            response["Deprecation"] = DEPRECATED_SINCE
            response["Sunset"] = SUNSET
            response["Link"] = f'<{target}>; rel="successor-version"'
        return response
