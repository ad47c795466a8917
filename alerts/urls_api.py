from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alerts import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read/", apis.NotificationsReadApi.as_view(), name="api-notifications-read"),
]
