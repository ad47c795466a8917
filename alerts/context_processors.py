"""What every page's header needs from the alerts: the signed-in person's unread count for
the bell (lazy, as marketplace/context_processors.py: a page without the header reads nothing)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from alerts.selectors import unread_count
from marketplace.auth import viewer


def bell(request: HttpRequest) -> dict[str, object]:
    return {"unread_notifications": SimpleLazyObject(lambda: _unread(request))}


def _unread(request: HttpRequest) -> int:
    user = viewer(request)
    return unread_count(user.pk) if user is not None else 0
