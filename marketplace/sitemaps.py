"""`/sitemap.xml`: every published listing, in each language (`hreflang` alternates), as
search engines read it; split into pages of 50,000 under a sitemap index, as the protocol
asks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from marketplace.models import Machine
from marketplace.models.machines import SEARCHABLE_STATUSES


class ListingSitemap(Sitemap):  # type: ignore[type-arg]
    limit = 50_000
    changefreq = "daily"

    def items(self) -> QuerySet[Machine]:
        return Machine.objects.filter(status__in=SEARCHABLE_STATUSES).only("pk", "updated_at").order_by("pk")

    def location(self, item: Machine) -> str:
        return reverse("machine-detail", args=[item.pk])

    def lastmod(self, item: Machine) -> Any:
        return item.updated_at

    def get_urls(
        self, page: int | str = 1, site: Any = None, protocol: str | None = None
    ) -> list[dict[str, Any]]:
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:  # each language's URL of the listing (English, the default, without lang)
            url["alternates"] = [
                {
                    "lang_code": code,
                    "location": url["location"] + ("" if code == settings.LANGUAGE_CODE else f"?lang={code}"),
                }
                for code, _name in settings.LANGUAGES
            ]
        return urls


SITEMAPS = {"listings": ListingSitemap}
