"""From the records of the facet queries to a FacetResult; numeric histograms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graph.facets.request import Bucket, EnumFacet, FacetResult, NumberFacet, SpecInfo

HISTOGRAM_BUCKETS = 10


def histogram(values: Mapping[float, int], buckets: int = HISTOGRAM_BUCKETS) -> NumberFacet:
    """Equal-width buckets from the smallest to the largest value (counts per distinct value
    in, so the buckets are exact); the last bucket includes the maximum. A single distinct
    value makes a single bucket."""
    low, high = min(values), max(values)
    if low == high:
        return NumberFacet(low, high, (Bucket(low, high, sum(values.values())),))
    width = (high - low) / buckets
    counts = [0] * buckets
    for value, count in values.items():
        counts[min(buckets - 1, int((value - low) / width))] += count
    edges = [low + width * index for index in range(buckets)] + [high]
    return NumberFacet(low, high, tuple(Bucket(edges[i], edges[i + 1], counts[i]) for i in range(buckets)))


def combine(
    model_rows: Iterable[Mapping[str, Any]],
    country_row: Mapping[str, Any],
    machine_spec_row: Mapping[str, Any] | None,
    specs: Mapping[str, SpecInfo],
) -> FacetResult:
    """The FacetResult from the records of `models_query`, `countries_query` and
    `machine_specs_query`."""
    facets: dict[str, dict[str, int]] = {"category": {}, "maker": {}, "model": {}}
    spec_values: dict[str, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    total = 0
    for row in model_rows:
        for item, number, text, count in row["rows"]:
            if row["facet"] == "total":
                total += count
            elif row["facet"] == "spec":
                _add_spec_value(spec_values, specs[item], number, text, count)
            elif count:
                facets[row["facet"]][item] = count
    for code, number, text, count in (machine_spec_row or {}).get("rows", []):
        _add_spec_value(spec_values, specs[code], number, text, count)
    ids = None
    if "ids" in country_row:
        ids = frozenset(_machine_ids(country_row["ids"]))
    spec_facets: dict[str, EnumFacet | NumberFacet] = {}
    for code in sorted(spec_values):
        values = {value: count for value, count in spec_values[code].items() if count}
        if values:
            spec_facets[code] = histogram(values) if specs[code].kind == "number" else EnumFacet(values)
    return FacetResult(
        total=total,
        ids=ids,
        category=facets["category"],
        maker=facets["maker"],
        model=facets["model"],
        country={country: count for country, count in country_row["countries"] if count},
        specs=spec_facets,
    )


def _machine_ids(groups: Iterable[list[int] | str]) -> Iterator[int]:
    """Ids from lists of ids (machines) or comma-separated strings of them (cohorts)."""
    for group in groups:
        if isinstance(group, str):
            yield from map(int, group.split(","))
        else:
            yield from group


def _add_spec_value(
    spec_values: dict[str, dict[Any, int]], info: SpecInfo, number: float | None, text: str | None, count: int
) -> None:
    value = number if info.kind == "number" else text
    if value is not None:
        spec_values[info.code][value] += count
