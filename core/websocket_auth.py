"""Socket authentication: the Django session cookie, or `?token=<DRF token>` for API clients.

The user is resolved once, when the socket connects. Sockets only read the session, so this
middleware does not wrap `send` the way channels' SessionMiddleware does (which checks the
session for changes on every message: a measurable cost when one event goes to thousands of
sockets)."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


@database_sync_to_async
def _user_for_session(key: str) -> Any:
    """The session's user, verified like a request's (`django.contrib.auth.get_user`)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1"))
    return {}


class TokenOrSessionAuthMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        tokens = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        session_key = _cookies(scope).get(settings.SESSION_COOKIE_NAME)
        if tokens:
            user = await _user_for_token(tokens[0])
        elif session_key:
            user = await _user_for_session(session_key)
        else:
            user = AnonymousUser()
        return await self.inner(dict(scope, user=user), receive, send)
