"""Search pieces other apps' pages show without importing the search app (ARCHITECTURE.md):
the home page's top categories, counted by the engine."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from core.errors import ServiceUnavailableError
from core.pages import page_language

register = template.Library()
logger = logging.getLogger(__name__)


@register.inclusion_tag("search/_top_categories.html")
def top_categories(limit: int = 8) -> dict[str, Any]:
    """The top-level categories with the most listings (each with its subcategories'), in the
    reader's language. Without the engine they are shown without counts, in their order."""
    from marketplace.models import Category
    from search.selectors import listing_counts

    language = page_language()
    try:
        counts: dict[str, int] | None = listing_counts()["category"]
    except ServiceUnavailableError:
        logger.warning("the search engine is down: categories shown without counts")
        counts = None
    roots = list(Category.objects.filter(parent__isnull=True))
    if counts is not None:
        roots = sorted(
            (c for c in roots if counts.get(c.slug)), key=lambda c: (-counts[c.slug], c.name(language))
        )
    return {
        "categories": [
            {"slug": c.slug, "name": c.name(language), "count": None if counts is None else counts[c.slug]}
            for c in roots[:limit]
        ]
    }
