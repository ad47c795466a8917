"""What a faceted search asks for, what it gets back, and the checks a request must pass."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

FACETABLE_KINDS = frozenset({"number", "enum"})


class FacetRequestError(ValueError):
    """A spec filter names an unknown spec or does not fit its kind; `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SpecRange:
    """Machines whose number for `code` lies within the bounds (inclusive, canonical SI unit)."""

    code: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class SpecValues:
    """Machines whose enumeration value for `code` is one of `values`."""

    code: str
    values: tuple[str, ...]


SpecFilter = SpecRange | SpecValues


@dataclass(frozen=True)
class SpecInfo:
    """What the queries need to know of a spec definition. `per_machine`: some machine has its
    own value for it, so it is read from machines rather than once per model."""

    code: str
    kind: Literal["number", "enum", "text"]
    unit: str = ""
    per_machine: bool = False


@dataclass(frozen=True, kw_only=True)
class ListingFilters:
    """What a buyer narrows the listings by, as search and graph both read it: within one
    filter the values are alternatives, across filters all must hold."""

    categories: tuple[str, ...] = ()
    makers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    price_min: int | None = None  # cents of the pivot currency (EUR)
    price_max: int | None = None
    specs: tuple[SpecFilter, ...] = ()  # canonical SI units

    def filter_values(self, *, ranges: bool = True) -> dict[str, Any]:
        """These filters as keyword arguments for another kind of ListingFilters; without
        the year, hours and price ranges unless `ranges`."""
        values = {item.name: getattr(self, item.name) for item in fields(ListingFilters)}
        return values if ranges else values | dict.fromkeys(RANGE_FIELDS)


RANGE_FIELDS = ("year_min", "year_max", "hours_min", "hours_max", "price_min", "price_max")


@dataclass(frozen=True, kw_only=True)
class FacetRequest(ListingFilters):
    candidates: tuple[int, ...] | None = None  # None: every machine; a tuple: only these ids
    # text candidates already counted per cohort by the search engine (graph.facets.Tallies),
    # instead of `candidates`: the result then names matching cohorts rather than machines,
    # and has no country facet (the engine counts that one when it pages)
    tallies: Mapping[str, int] | None = None
    with_ids: bool = True  # also return the ids of the matching machines
    with_countries: bool = True  # count countries too (the ids need that query anyway)
    # only the spec facets: no total, category, maker or model facet (the search engine
    # counts those, search/selectors.py)
    specs_only: bool = False


@dataclass(frozen=True)
class Bucket:
    start: float
    end: float
    count: int


@dataclass(frozen=True)
class NumberFacet:
    minimum: float
    maximum: float
    buckets: tuple[Bucket, ...]


@dataclass(frozen=True)
class EnumFacet:
    counts: dict[str, int]


@dataclass(frozen=True)
class FacetResult:
    total: int
    ids: frozenset[int] | None  # None unless the request asked `with_ids` (and gave no tallies)
    category: dict[str, int] = field(default_factory=dict)
    maker: dict[str, int] = field(default_factory=dict)
    model: dict[str, int] = field(default_factory=dict)
    country: dict[str, int] = field(default_factory=dict)
    specs: dict[str, EnumFacet | NumberFacet] = field(default_factory=dict)
    cohorts: frozenset[str] | None = None  # with tallies and `with_ids`: the matching cohorts


def validate(request: FacetRequest, specs: Mapping[str, SpecInfo]) -> None:
    """Raise FacetRequestError unless every spec filter names a known spec, at most once, with
    a filter of its kind."""
    seen: set[str] = set()
    for spec_filter in request.specs:
        name = f"spec.{spec_filter.code}"
        info = specs.get(spec_filter.code)
        if info is None:
            raise FacetRequestError(name, f"There is no spec {spec_filter.code!r}.")
        if spec_filter.code in seen:
            raise FacetRequestError(name, "Only one filter per spec.")
        seen.add(spec_filter.code)
        if isinstance(spec_filter, SpecRange):
            if info.kind != "number":
                raise FacetRequestError(name, f"{spec_filter.code!r} is not a number; filter it by value.")
            bounds = [bound for bound in (spec_filter.minimum, spec_filter.maximum) if bound is not None]
            if not bounds or not all(math.isfinite(bound) for bound in bounds):
                raise FacetRequestError(name, "A range needs a finite minimum, maximum or both.")
        elif info.kind != "enum":
            raise FacetRequestError(name, f"{spec_filter.code!r} is not an enumeration; filter it by range.")
        elif not spec_filter.values:
            raise FacetRequestError(name, "Give at least one value.")
