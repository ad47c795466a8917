"""Facet counts from Neo4j against a brute-force oracle: for random filter combinations over a
seeded catalogue of 2,000 listings, the matching set and every facet count the graph returns
equal what a plain Python loop over the same catalogue, read from PostgreSQL, computes; and
so do the search engine's results and facets, which apply the same filters to the spec
values the search documents carry."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from hypothesis import event, given, settings
from hypothesis import strategies as st

from graph.client import run_query
from graph.facets import (
    EnumFacet,
    FacetRequest,
    FacetResult,
    NumberFacet,
    SpecInfo,
    SpecRange,
    SpecValues,
    can_group,
    cohort_members_query,
    histogram,
    queries,
)
from graph.selectors import facet_search, spec_catalogue
from graph.versions import bump_projection_version
from marketplace.models.machines import SEARCHABLE_STATUSES
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.query import SearchParams
from search.selectors import search_machines
from search.shaping import spec_facets
from search.spec_facets import offered, spec_facet_search
from tests.search.catalogue import fresh_machine_index

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Listing:
    id: int
    year: int
    hours: int | None
    price: int
    country: str
    path: tuple[str, ...]
    maker: str
    model: str
    specs: dict[str, Any]  # effective values: the listing page's spec sheet


@dataclass(frozen=True, repr=False)
class Catalogue:
    listings: tuple[Listing, ...]
    hidden_ids: tuple[int, ...]  # drafts and sold listings: never in a result
    specs: dict[str, SpecInfo]
    choices: dict[str, tuple[str, ...]]

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"Catalogue({len(self.listings)} listings)"


def read_catalogue() -> Catalogue:
    from marketplace.models import Machine, SpecDefinition
    from marketplace.selectors import effective_specs, machines_with_relations

    listings = []
    for machine in machines_with_relations(Machine.objects.filter(status__in=SEARCHABLE_STATUSES)):
        model = machine.model
        specs = {
            spec.definition.code: spec.value_number if spec.definition.kind == "number" else spec.value_text
            for spec in effective_specs(machine)
        }
        listings.append(Listing(
            machine.pk, machine.year, machine.hours, machine.price_pivot, machine.country_id,
            tuple(model.category.path_slugs), model.maker.slug, model.slug, specs,
        ))  # fmt: skip
    hidden = Machine.objects.exclude(status__in=SEARCHABLE_STATUSES).values_list("pk", flat=True)
    choices = {d.code: tuple(d.choice_codes) for d in SpecDefinition.objects.filter(kind="enum")}
    return Catalogue(tuple(listings), tuple(hidden), spec_catalogue(), choices)


def remove_seeded_rows() -> None:
    from marketplace.models import (
        Category,
        Machine,
        MachineModel,
        Maker,
        SpecCategory,
        SpecDefinition,
        User,
    )

    Machine.objects.all().delete()
    MachineModel.objects.all().delete()
    Maker.objects.all().delete()
    for depth in (2, 1, 0):
        Category.objects.filter(depth__gte=depth).delete()
    SpecDefinition.objects.all().delete()
    SpecCategory.objects.all().delete()
    User.objects.filter(Q(username__startswith="seller-") | Q(username__startswith="buyer-")).delete()


def empty_graph() -> None:
    for label in ("Cohort", "Machine", "Model", "Maker", "Category", "Spec", "SpecCategory"):
        while run_query(f"MATCH (n:{label}) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
            pass


@pytest.fixture(scope="module")
def catalogue(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Catalogue]:
    """2,000 seeded listings (committed, outside the per-test transactions) and the graph
    rebuilt from them; both emptied when the module is done."""
    with django_db_blocker.unblock():
        # pytest-django points the connection at the test database only for a module whose
        # tests are marked django_db; without the mark this would seed, and then empty, the
        # development database.
        database = connection.settings_dict["NAME"]
        assert database.startswith("test_"), f"refusing to seed and empty {database!r}"
        empty_graph()
        call_command("seed_catalogue", machines=2000, seed=3, verbosity=0, stdout=io.StringIO())
        try:
            call_command("graph_resync", verbosity=0)
            fresh_machine_index()
            call_command("search_reindex", verbosity=0)
            get_client().indices.refresh(index=alias_name(MACHINES))
            yield read_catalogue()
        finally:
            empty_graph()
            remove_seeded_rows()


# ------------------------------------------------------------------------------ the oracle


def passes(listing: Listing, spec_filter: SpecRange | SpecValues) -> bool:
    value = listing.specs.get(spec_filter.code)
    if isinstance(spec_filter, SpecValues):
        return value in spec_filter.values
    if not isinstance(value, float):
        return False
    low, high = spec_filter.minimum, spec_filter.maximum
    return (low is None or value >= low) and (high is None or value <= high)


def within(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def oracle(request: FacetRequest, catalogue: Catalogue) -> FacetResult:
    filters: dict[str, Callable[[Listing], bool]] = {}
    if request.categories:
        filters["category"] = lambda listing: any(slug in listing.path for slug in request.categories)
    if request.makers:
        filters["maker"] = lambda listing: listing.maker in request.makers
    if request.models:
        filters["model"] = lambda listing: listing.model in request.models
    if request.countries:
        filters["country"] = lambda listing: listing.country in request.countries
    for spec_filter in request.specs:
        filters[f"spec:{spec_filter.code}"] = partial(passes, spec_filter=spec_filter)

    def always(listing: Listing) -> bool:
        return (
            (request.candidates is None or listing.id in request.candidates)
            and within(listing.year, request.year_min, request.year_max)
            and within(listing.hours, request.hours_min, request.hours_max)
            and within(listing.price, request.price_min, request.price_max)
        )

    misses = [(listing, {name for name, test in filters.items() if not test(listing)})
              for listing in catalogue.listings if always(listing)]  # fmt: skip
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    values: dict[str, Counter[Any]] = defaultdict(Counter)
    for listing, missed in misses:
        if missed <= {"category"}:
            counts["category"].update(listing.path)
        for name, key in (("maker", listing.maker), ("model", listing.model), ("country", listing.country)):
            if missed <= {name}:
                counts[name][key] += 1
        for code, value in listing.specs.items():
            if (
                catalogue.specs[code].kind in ("number", "enum")
                and value not in (None, "")
                and missed <= {f"spec:{code}"}
            ):
                values[code][value] += 1
    matching = frozenset(listing.id for listing, missed in misses if not missed)
    specs: dict[str, EnumFacet | NumberFacet] = {
        code: histogram(dict(found)) if catalogue.specs[code].kind == "number" else EnumFacet(dict(found))
        for code, found in values.items()
    }
    return FacetResult(
        total=len(matching), ids=matching if request.with_ids else None,
        category=dict(counts["category"]), maker=dict(counts["maker"]), model=dict(counts["model"]),
        country=dict(counts["country"]), specs=specs,
    )  # fmt: skip


# ------------------------------------------------------------------------------ requests


@st.composite
def requests(draw: st.DrawFn, catalogue: Catalogue) -> FacetRequest:
    """Each filter appears about one time in four, so many requests still match something
    while every combination gets tried."""
    listings = catalogue.listings
    sometimes = lambda: draw(st.integers(0, 3)) == 0  # noqa: E731

    def some(values: Any, most: int) -> tuple[str, ...]:
        if not sometimes():
            return ()
        return tuple(
            draw(st.lists(st.sampled_from(sorted(set(values))), min_size=1, max_size=most, unique=True))
        )

    spec_filters: list[SpecRange | SpecValues] = []
    codes = sorted(code for code, info in catalogue.specs.items() if info.kind in ("number", "enum"))
    how_many = draw(st.integers(0, 2))
    for code in draw(st.lists(st.sampled_from(codes), min_size=how_many, max_size=how_many, unique=True)):
        if catalogue.specs[code].kind == "enum":
            chosen = draw(
                st.lists(st.sampled_from(catalogue.choices[code]), min_size=1, max_size=2, unique=True)
            )
            spec_filters.append(SpecValues(code, tuple(chosen)))
            continue
        seen = sorted({v for listing in listings if isinstance(v := listing.specs.get(code), float)} or {1.0})
        low = draw(st.none() | st.sampled_from(seen[: len(seen) // 2 + 1]))
        high = draw(st.none() | st.sampled_from(seen[len(seen) // 2 :]))
        spec_filters.append(
            SpecRange(code, low, high) if low is not None or high is not None else SpecRange(code, seen[0])
        )
    candidates = None
    if sometimes():
        pool = [listing.id for listing in listings] + list(catalogue.hidden_ids[:50])
        # a random slice of the catalogue (large, cheap to draw) plus a few hidden listings
        start = draw(st.integers(0, len(pool) - 1))
        candidates = tuple(pool[start : start + draw(st.integers(1, 600))]) + tuple(
            draw(st.sets(st.sampled_from(pool), max_size=20))
        )
    years = sorted({listing.year for listing in listings})
    return FacetRequest(
        candidates=candidates,
        categories=some((slug for listing in listings for slug in listing.path), 2),
        makers=some((listing.maker for listing in listings), 3),
        models=some((listing.model for listing in listings), 2) if sometimes() else (),
        countries=some((listing.country for listing in listings), 3),
        year_min=draw(st.sampled_from(years)) if sometimes() else None,
        hours_max=draw(st.integers(0, 20_000)) if sometimes() else None,
        price_min=draw(st.integers(0, 10_000_000)) if sometimes() else None,
        specs=tuple(spec_filters),
        with_ids=draw(st.booleans()),
    )


def test_without_filters_every_visible_listing_matches(catalogue: Catalogue) -> None:
    result = facet_search(FacetRequest(), catalogue.specs)

    assert result.ids == frozenset(listing.id for listing in catalogue.listings)
    assert result == oracle(FacetRequest(), catalogue)
    assert set(result.specs) >= {
        "operating_weight",
        "air_conditioning",
    }  # model-level and machine-level specs


def test_the_catalogue_has_specs_read_per_model_and_specs_read_per_machine(catalogue: Catalogue) -> None:
    per_machine = {code for code, info in catalogue.specs.items() if info.per_machine}

    assert {"air_conditioning", "bucket_capacity"} <= per_machine
    assert "operating_weight" not in per_machine


@settings(max_examples=60, deadline=None, derandomize=False)
@given(data=st.data())
def test_the_graph_agrees_with_the_oracle(catalogue: Catalogue, data: st.DataObject) -> None:
    request = data.draw(requests(catalogue))
    expected = oracle(request, catalogue)
    event("some listings match" if expected.total else "no listing matches")
    event(f"{len(request.specs)} spec filter(s)")

    assert facet_search(request, catalogue.specs) == expected


@settings(max_examples=40, deadline=None, derandomize=False)
@given(data=st.data())
def test_the_engines_spec_filters_agree_with_the_oracle(catalogue: Catalogue, data: st.DataObject) -> None:
    """The search API's results (search/selectors.py): the engine applies every filter, spec
    filters included, to the documents' effective spec values; the listings it finds are the
    oracle's, and each of its facets counts what the oracle's does without its own filter."""
    request = replace(data.draw(requests(catalogue)), candidates=None)
    expected = oracle(request, catalogue)
    params = SearchParams(**request.filter_values(), sort="year", limit=3000)
    event("some listings match" if expected.total else "no listing matches")
    event(f"{len(request.specs)} spec filter(s)")

    result = search_machines(params)

    assert result.count == expected.total
    assert {hit["id"] for hit in result.results} == oracle(replace(request, with_ids=True), catalogue).ids
    for name in ("maker", "model", "country"):
        shown = {bucket["key"]: bucket["count"] for bucket in result.facets[name]}
        assert shown == most_frequent(getattr(expected, name), len(shown)), name
    categories = {bucket["key"]: bucket["count"] for bucket in result.facets["category"]}
    assert all(expected.category.get(slug) == count for slug, count in categories.items())


def most_frequent(counts: dict[str, int], shown: int) -> dict[str, int]:
    """The `shown` most frequent keys, as the engine's terms aggregations return them."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:shown])


@settings(max_examples=30, deadline=None, derandomize=False)
@given(data=st.data())
def test_the_companion_endpoints_spec_facets_agree_with_the_oracle(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    """What GET /api/v1/search/spec-facets/ answers for a search without words
    (search/spec_facets.py): the oracle's spec facets, labelled and in the buyer's units,
    computed and then read back from the cache. (With words the engine decides which listings
    count: tests/graph/test_spec_facets_api.py.)"""
    drawn = replace(data.draw(requests(catalogue)), candidates=None)
    params = SearchParams(**drawn.filter_values(), units=data.draw(st.sampled_from(["metric", "imperial"])))
    expected = spec_facets(oracle(drawn, catalogue).specs, "en", params.units) if offered(params) else {}
    event("offered" if offered(params) else "not offered")
    bump_projection_version()  # a cold cache: other examples' answers out of reach

    computed, cached = spec_facet_search(params), spec_facet_search(params)

    assert (computed.specs, computed.cached) == (expected, False)
    assert cached.specs == expected
    assert cached.cached is offered(params)


@settings(max_examples=40, deadline=None, derandomize=False)
@given(data=st.data())
def test_cohorts_and_machines_both_agree_with_the_oracle(catalogue: Catalogue, data: st.DataObject) -> None:
    """Requests cohorts can answer (no year, hours, price or country; text candidates are
    counted per cohort first): the cohort path, which the selector picks for them, and the
    machine path give the oracle's answer."""
    request = replace(
        data.draw(requests(catalogue)), countries=(), year_min=None, hours_max=None, price_min=None
    )
    assert can_group(request)
    expected = oracle(request, catalogue)
    event("some listings match" if expected.total else "no listing matches")
    event("text candidates" if request.candidates is not None else "no text")

    assert facet_search(request, catalogue.specs, grouped=True) == expected
    assert facet_search(request, catalogue.specs, grouped=False) == expected


@settings(max_examples=30, deadline=None, derandomize=False)
@given(data=st.data())
def test_spec_facets_read_from_the_spec_side_agree_with_the_oracle(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    """Past a size, machine-level spec facets are read from each Spec node's relationships
    instead of from every counted machine or cohort; the catalogue here is too small to get
    there, so both limits are set to nothing."""
    request = data.draw(requests(catalogue))
    expected = oracle(request, catalogue)
    with patch.object(queries, "MACHINE_SIDE_LIMIT", 0), patch.object(queries, "COHORT_SIDE_LIMIT", 0):
        assert facet_search(request, catalogue.specs) == expected
        if can_group(request):
            assert facet_search(request, catalogue.specs, grouped=False) == expected


def _engine_tallies(candidates: tuple[int, ...]) -> dict[str, int]:
    """What the search engine's cohort tally would count for these candidates: how many of
    them each cohort holds, from the cohorts' own id lists (hidden listings are in none)."""
    listed = run_query(cohort_members_query().text)[0]
    wanted = set(candidates)
    counted = {
        key: len(wanted.intersection(map(int, ids.split(","))))
        for key, ids in zip(listed["cohorts"], listed["ids"], strict=True)
    }
    return {key: count for key, count in counted.items() if count}


@settings(max_examples=30, deadline=None, derandomize=False)
@given(data=st.data())
def test_spec_facets_alone_from_engine_tallies_agree_with_the_oracle(
    catalogue: Catalogue, data: st.DataObject
) -> None:
    """A search with words and no spec filter: the engine counts the matches per cohort, the
    graph counts the spec facets alone from those tallies. Without other filters the
    catalogue values are weighed per model, the tallies summed beforehand; with a category,
    maker or model filter, from the models' cohorts as before. Either way, the oracle's."""
    drawn = data.draw(requests(catalogue))
    candidates = (
        drawn.candidates
        if drawn.candidates is not None
        else tuple(listing.id for listing in catalogue.listings)
    )
    filters = data.draw(st.booleans())
    request = FacetRequest(
        candidates=candidates,
        categories=drawn.categories if filters else (), makers=drawn.makers if filters else (),
        models=drawn.models if filters else (),
    )  # fmt: skip
    expected = oracle(request, catalogue)
    tallies = _engine_tallies(candidates)
    event("other filters" if request.categories or request.makers or request.models else "tallies alone")
    event("some listings match" if expected.total else "no listing matches")

    specs_only = FacetRequest(
        tallies=tallies, categories=request.categories, makers=request.makers, models=request.models,
        with_ids=False, with_countries=False, specs_only=True,
    )  # fmt: skip
    assert facet_search(specs_only, catalogue.specs).specs == expected.specs


@pytest.mark.parametrize("with_ids", [True, False])
def test_text_that_matched_nothing_counts_nothing(catalogue: Catalogue, with_ids: bool) -> None:
    nothing = FacetRequest(candidates=(), categories=(catalogue.listings[0].path[0],), with_ids=with_ids)
    no_tally = FacetRequest(tallies={}, with_ids=with_ids, with_countries=False, specs_only=True)

    assert facet_search(nothing, catalogue.specs) == oracle(nothing, catalogue)
    assert facet_search(nothing, catalogue.specs).total == 0
    assert facet_search(no_tally, catalogue.specs) == FacetResult(
        0, None, cohorts=frozenset() if with_ids else None
    )
    with pytest.raises(ValueError, match="the engine's tallies have no countries"):
        facet_search(replace(no_tally, with_countries=True), catalogue.specs)


def test_cohorts_cannot_answer_what_only_machines_know(catalogue: Catalogue) -> None:
    for request in (
        FacetRequest(year_min=2015),
        FacetRequest(countries=("JP",)),
        FacetRequest(candidates=(1,), hours_max=9),
    ):
        assert not can_group(request)
        with pytest.raises(ValueError, match="cohorts cannot answer"):
            facet_search(request, catalogue.specs, grouped=True)
