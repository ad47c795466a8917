from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alerts import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read/", apis.NotificationsReadApi.as_view(), name="api-notifications-read"),
    path("saved-searches/", apis.SavedSearchListApi.as_view(), name="api-saved-searches"),
    path("saved-searches/<int:saved_search_id>/", apis.SavedSearchApi.as_view(), name="api-saved-search"),
]
