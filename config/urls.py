from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core.health import healthz

handler400 = "core.pages.bad_request"
handler403 = "core.pages.permission_denied"
handler404 = "core.pages.page_not_found"
handler500 = "core.pages.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.urls_api")),
    path("api/", include(("config.urls_api", "legacy"), namespace="legacy")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("marketplace.urls")),
    path("", include("search.urls")),
    path("", include("auctions.urls")),
]

if settings.SERVE_MEDIA:
    # Locally and in tests Django serves uploads; production puts a web server or CDN in front.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
