from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from core.health import healthz
from core.pages import robots_txt
from events.metrics import metrics
from marketplace.sitemaps import SITEMAPS

handler400 = "core.pages.bad_request"
handler403 = "core.pages.permission_denied"
handler404 = "core.pages.page_not_found"
handler500 = "core.pages.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("robots.txt", robots_txt, name="robots"),
    # browsers ask for /favicon.ico whatever the page names: send them to the page's icon
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.urls_api")),
    path("api/", include(("config.urls_api", "legacy"), namespace="legacy")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("marketplace.urls")),
    path("", include("search.urls")),
    path("", include("auctions.urls")),
    path("", include("alerts.urls")),
]

if settings.SERVE_MEDIA:
    # Locally and in tests Django serves uploads; production puts a web server or CDN in front.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
