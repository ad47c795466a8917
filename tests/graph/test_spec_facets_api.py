"""GET /api/v1/search/spec-facets/, the search's companion: the spec facets of the same
parameters, described by the same relaxation as the results, cached until the catalogue
projections change, documented and refused like the search."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from graph.sync import apply_changes as graph_apply_changes
from graph.versions import bump_projection_version, projection_version
from marketplace.models import Machine
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes as search_apply_changes

pytestmark = pytest.mark.django_db

COMPANION = "/api/v1/search/spec-facets/"


@pytest.fixture
def cold() -> None:
    """Nothing cached from another test: every answer before this test's own is stale."""
    bump_projection_version()


def companion(**params: Any) -> Any:
    return APIClient().get(COMPANION, params)


def cache_state(response: Any) -> str:
    return str(response["Server-Timing"]).rsplit("cache;desc=", 1)[1]


def weight_total(response: Any) -> int:
    return sum(bucket["count"] for bucket in response.json()["specs"]["operating_weight"]["buckets"])


def test_the_same_search_is_counted_once_whatever_its_page_or_sort(
    listings: dict[str, int], cold: None
) -> None:
    first = companion(category="excavators")
    again = companion(category="excavators")
    paged = companion(category="excavators", offset=20, limit=20, sort="-year")

    assert first.status_code == 200
    assert cache_state(first) == "miss"
    assert (cache_state(again), cache_state(paged)) == ("hit", "hit")
    assert again.json() == first.json() == paged.json()
    assert weight_total(first) == 5  # the five excavators; the wheel loader is in another category
    # another search is another entry; the same filters in another order are the same search
    both = companion(category="excavators", maker=["kubota", "takeuchi"])
    reordered = companion(maker=["takeuchi", "kubota"], category="excavators")
    assert (cache_state(both), cache_state(reordered)) == ("miss", "hit")
    assert weight_total(both) == 3


def test_another_language_or_unit_system_is_another_answer(listings: dict[str, int], cold: None) -> None:
    metric = companion(category="excavators")
    imperial = companion(category="excavators", units="imperial")

    assert cache_state(imperial) == "miss"
    assert metric.json()["specs"]["operating_weight"]["unit"] == "t"
    assert imperial.json()["specs"]["operating_weight"]["unit"] == "lb"
    assert imperial.json()["units"] == "imperial"


def test_a_change_the_projections_apply_makes_the_cached_answer_stale(
    listings: dict[str, int], cold: None
) -> None:
    before = companion(category="excavators")
    assert weight_total(before) == 5
    version = projection_version()

    # a listing leaves the catalogue: PostgreSQL first, then the outbox's projections
    Machine.objects.filter(pk=listings["u27-de"]).update(status="sold")
    try:
        search_apply_changes({"machine": {listings["u27-de"]}})
        graph_apply_changes({"machine": {listings["u27-de"]}})
        get_client().indices.refresh(index=alias_name(MACHINES))
        after = companion(category="excavators")

        assert projection_version() == (version or 0) + 2  # one bump per projection
        assert cache_state(after) == "miss"
        assert weight_total(after) == 4
    finally:
        Machine.objects.filter(pk=listings["u27-de"]).update(status="published")
        search_apply_changes({"machine": {listings["u27-de"]}})
        graph_apply_changes({"machine": {listings["u27-de"]}})
        get_client().indices.refresh(index=alias_name(MACHINES))
    assert weight_total(companion(category="excavators")) == 5


def test_facets_describe_the_relaxed_results_as_the_search_relaxed_them(
    listings: dict[str, int], cold: None
) -> None:
    params = {"q": "takeuchi komatsu", "lang": "en", "category": "excavators"}
    results = APIClient().get("/api/v1/search/", params).json()
    facets = companion(**params).json()

    # no listing is both a Takeuchi and a Komatsu: the search relaxed to any one word
    assert results["relaxed"] == {"required_words": 1, "words": 2}
    assert facets["relaxed"] == results["relaxed"]
    assert weight_total(companion(**params)) == results["count"] == 3
    # every word found together: nothing relaxed, the facets count what both words find
    exact = {"q": "komatsu excavator", "lang": "en", "category": "excavators"}
    assert companion(**exact).json()["relaxed"] is None
    assert weight_total(companion(**exact)) == APIClient().get("/api/v1/search/", exact).json()["count"] == 2


def test_with_a_spec_filter_the_facets_keep_their_own_filter_out(
    listings: dict[str, int], cold: None
) -> None:
    response = companion(**{"spec.operating_weight.max": "5", "maker": "kubota"})

    weight = response.json()["specs"]["operating_weight"]
    assert (weight["min"], weight["max"]) == (2.7, 2.7)  # every Kubota, whatever its weight
    undercarriage = response.json()["specs"]["undercarriage"]
    assert undercarriage["values"] == [{"key": "crawler", "label": "Crawler", "count": 2}]


def test_without_a_category_or_spec_filter_nothing_is_counted(listings: dict[str, int], cold: None) -> None:
    response = companion(q="excavator", lang="en")

    assert response.status_code == 200
    assert response.json() == {"specs": {}, "relaxed": None, "language": "en", "units": "metric"}
    assert "graph;dur=0, cache;desc=miss" in response["Server-Timing"]  # nothing asked


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"spec.nope.min": "1"}, 400, "spec.nope"),
        ({"spec.engine_power.min": "lots"}, 400, "spec.engine_power.min"),
        ({"year_min": "soon"}, 400, "year_min"),
        ({"limit": "5000"}, 400, "limit"),
        ({"offset": "9990", "limit": "20"}, 422, "offset"),
    ],
)
def test_bad_parameters_are_refused_as_the_search_refuses_them(
    listings: dict[str, int], params: dict[str, str], status: int, field: str
) -> None:
    response = companion(category="excavators", **params)
    search = APIClient().get("/api/v1/search/", {"category": "excavators", **params})

    assert response.status_code == search.status_code == status
    assert response.json() == search.json()
    assert field in response.json()["error"]["fields"]


def test_the_document_types_the_companion_with_the_searchs_parameters(listings: dict[str, int]) -> None:
    document = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = document["paths"]["/api/v1/search/spec-facets/"]["get"]
    search = document["paths"]["/api/v1/search/"]["get"]

    assert [p["name"] for p in operation["parameters"]] == [p["name"] for p in search["parameters"]]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][schema]["properties"]) == {
        "specs",
        "relaxed",
        "language",
        "units",
    }
    facets = search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    result = document["components"]["schemas"][facets]["properties"]["facets"]["$ref"].rsplit("/", 1)[1]
    assert "specs" not in document["components"]["schemas"][result]["properties"]
