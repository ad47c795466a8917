from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from alerts.kinds import kind
from alerts.models import Notification, SavedSearch
from core.errors import NotFoundError


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notifications_for(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).order_by("-id")


PAGE_SIZE = 30
MAX_LISTED = 600  # the newest; older ones stay stored but are not paged through


def listed_for(user_id: int) -> QuerySet[Notification]:
    """The person's notifications newest first, at most MAX_LISTED of them."""
    return notifications_for(user_id)[:MAX_LISTED]


def sentence(notification: Notification) -> str:
    """How the notification reads, in the active language."""
    return kind(notification.kind).sentence(notification.params)


def bell(user_id: int) -> dict[str, Any]:
    """The header's bell: the unread count and the newest unread notification (for a page to
    announce what just arrived), in the active language."""
    newest = Notification.objects.filter(user_id=user_id, read_at__isnull=True).order_by("-id").first()
    return {
        "unread": unread_count(user_id),
        "newest": None
        if newest is None
        else {"id": newest.pk, "sentence": sentence(newest), "link": newest.link},
    }


def notification_of(*, user_id: int, notification_id: int) -> Notification:
    """One of the person's notifications; another person's is as absent as a missing one."""
    found = Notification.objects.filter(user_id=user_id, pk=notification_id).first()
    if found is None:
        raise NotFoundError("No such notification.")
    return found


def saved_searches_for(user_id: int) -> QuerySet[SavedSearch]:
    """The user's saved searches, newest first (at most ALERTS_SAVED_SEARCHES_PER_USER)."""
    return SavedSearch.objects.filter(user_id=user_id).order_by("-id")


def saved_search_get(*, user_id: int, saved_search_id: int) -> SavedSearch:
    """The user's saved search; another person's is as absent as a missing one (404)."""
    saved = SavedSearch.objects.filter(pk=saved_search_id, user_id=user_id).first()
    if saved is None:
        raise NotFoundError("No such saved search.")
    return saved
