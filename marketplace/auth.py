"""Who is asking, as the services want it: the marketplace's own `User`."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotAuthenticated

from marketplace.models import User


def signed_in(request: Any) -> User:
    """The request's signed-in user, for views behind `login_required` or `IsAuthenticated`
    (a request that got past them without one is refused, not served as anonymous)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def viewer(request: Any) -> User | None:
    """The signed-in user, or None for a visitor."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None
