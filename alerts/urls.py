from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alerts import live, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification-open"),
    path("notifications/stream/", live.bell_stream, name="notifications-stream"),
    path("alerts/preferences/", views.preferences_save, name="alerts-preferences"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="alerts-unsubscribe"),
    path("saved-searches/", views.saved_searches_page, name="saved-searches"),
    path("saved-searches/<int:saved_search_id>/", views.saved_search_change, name="saved-search-change"),
]
