from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from alerts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("saved-searches/", views.saved_searches_page, name="saved-searches"),
    path("saved-searches/<int:saved_search_id>/", views.saved_search_change, name="saved-search-change"),
]
