from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alerts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/preferences/", views.preferences_save, name="alerts-preferences"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="alerts-unsubscribe"),
]
