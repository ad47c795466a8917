from __future__ import annotations

from django.db.models import QuerySet

from alerts.models import Notification, SavedSearch
from core.errors import NotFoundError


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notifications_for(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).order_by("-id")


def saved_searches_for(user_id: int) -> QuerySet[SavedSearch]:
    """The user's saved searches, newest first (at most ALERTS_SAVED_SEARCHES_PER_USER)."""
    return SavedSearch.objects.filter(user_id=user_id).order_by("-id")


def saved_search_get(*, user_id: int, saved_search_id: int) -> SavedSearch:
    """The user's saved search; another person's is as absent as a missing one (404)."""
    saved = SavedSearch.objects.filter(pk=saved_search_id, user_id=user_id).first()
    if saved is None:
        raise NotFoundError("No such saved search.")
    return saved
