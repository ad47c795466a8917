"""What a search answers, shaped for buyers: the engine's hits and facet buckets, and the
graph's facets, labelled in the buyer's language and (for spec facets) in their units."""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse

from core.money import Money
from graph.facets import EnumFacet, NumberFacet

FACET_SIZE = 50  # values per facet, as the engine's terms aggregations return
LABEL_TTL_SECONDS = 300.0

Labels = dict[str, dict[str, str]]  # facet name -> key -> label
_label_cache: dict[str, tuple[float, Labels]] = {}


def facet_labels(language: str) -> Labels:
    """Facet labels in `language`. Taxonomy names change rarely, so each process keeps them
    for a few minutes instead of reading three tables on every search."""
    cached = _label_cache.get(language)
    if cached is not None and time.monotonic() - cached[0] < LABEL_TTL_SECONDS:
        return cached[1]
    labels = _read_labels(language)
    _label_cache[language] = (time.monotonic(), labels)
    return labels


def clear_label_cache() -> None:
    _label_cache.clear()


def _read_labels(language: str) -> Labels:
    from marketplace.models import Category, Country, MachineModel, Maker

    return {
        "category": {c.slug: c.name(language) for c in Category.objects.all()},
        "maker": {m.slug: (m.names.get(language) or m.name) for m in Maker.objects.all()},
        "model": {
            m.slug: f"{m.maker.names.get(language) or m.maker.name} {m.model_number}"
            for m in MachineModel.objects.select_related("maker")
        },
        # not a facet: the category slug of each model, to show completions with their category
        "model_category": dict(MachineModel.objects.values_list("slug", "category__slug")),
        "country": {
            c.code: str(c.names.get(language) or c.names.get("en") or c.code) for c in Country.objects.all()
        },
    }


def _text_for(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def shape_hit(hit: dict[str, Any], language: str) -> dict[str, Any]:
    """One result: the listing's text in `language` (else English, else any), the highlight
    from that language's fields first."""
    source = hit["_source"]
    highlight = hit.get("highlight", {})
    snippet = next(
        (fragments[0] for name, fragments in highlight.items() if name.endswith(f".{language}")), None
    )
    snippet = snippet or next((fragments[0] for fragments in highlight.values()), None)
    return {
        "id": source["id"],
        "title": _text_for(source.get("title", {}), language),
        "highlight": snippet,
        "maker": source["maker"]["name"],
        "model": source["model_number"],
        "year": source["year"],
        "hours": source.get("hours"),
        "price": Money(source["price"]["amount"], source["price"]["currency"]).to_json(),
        "cover_photo": source.get("cover_photo"),
        "country": source["country"],
        "region": source.get("region") or None,
        "url": reverse("machine-detail", args=[source["id"]]),
        "score": hit.get("_score"),
    }


def engine_facets(aggregations: dict[str, Any], labels: Labels) -> dict[str, Any]:
    """The engine's terms aggregations as facets: name -> [{key, label, count}]."""
    return {
        name: [
            {
                "key": bucket["key"],
                "label": labels[name].get(bucket["key"], bucket["key"]),
                "count": bucket["doc_count"],
            }
            for bucket in aggregation["values"]["buckets"]
        ]
        for name, aggregation in aggregations.items()
    }


def spec_facets(specs: dict[str, EnumFacet | NumberFacet], language: str, units: str) -> dict[str, Any]:
    """Spec facets in the order of the spec sheet, labelled in `language`, numbers in `units`."""
    from marketplace.models import SpecDefinition
    from marketplace.units import display_unit

    shaped: dict[str, Any] = {}
    for definition in SpecDefinition.objects.select_related("spec_category").filter(code__in=list(specs)):
        facet = specs[definition.code]
        label = definition.name(language)
        if isinstance(facet, EnumFacet):
            names = {choice["code"]: choice.get("names", {}) for choice in definition.choices}
            order = {code: index for index, code in enumerate(names)}
            keys = sorted(facet.counts, key=lambda key: (order.get(key, len(order)), key))
            shaped[definition.code] = {"label": label, "kind": "enum", "unit": "", "values": [
                {"key": key, "label": str(names.get(key, {}).get(language) or names.get(key, {}).get("en") or key),
                 "count": facet.counts[key]} for key in keys
            ]}  # fmt: skip
            continue
        unit = display_unit(definition.unit, units)

        def shown(value: float, factor: float = unit.factor, decimals: int = unit.decimals) -> float:
            # two more decimals than the spec sheet shows, so adjacent bucket edges stay apart
            return round(value * factor, decimals + 2)

        shaped[definition.code] = {
            "label": label, "kind": "number", "unit": unit.symbol,
            "min": shown(facet.minimum), "max": shown(facet.maximum),
            "buckets": [{"from": shown(b.start), "to": shown(b.end), "count": b.count} for b in facet.buckets],
        }  # fmt: skip
    return shaped
