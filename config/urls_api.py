"""The REST API, version 1: served under /api/v1/, and under /api/ for the clients that
predate the version (deprecated: core/api/versioning.py marks those answers)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from auctions.apis import asyncapi_document

urlpatterns = [
    path("search/", include("search.urls_api")),
    path("auctions/", include("auctions.urls_api")),
    path("", include("alerts.urls_api")),
    path("", include("marketplace.urls_api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("asyncapi.json", asyncapi_document, name="api-asyncapi"),
]
