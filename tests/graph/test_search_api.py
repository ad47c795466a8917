"""Spec filters through GET /api/v1/search/ (the engine applies them to the documents'
effective spec values) and spec facets through its companion /api/v1/search/spec-facets/
(same parameters; the graph counts them), against the real engine and graph: ranges in
either unit system, enumerations, text, disjunctive counts, bad input."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from rest_framework.test import APIClient

from graph.versions import bump_projection_version

pytestmark = pytest.mark.django_db


def search(**params: Any) -> Any:
    return APIClient().get("/api/v1/search/", {"limit": 50, **params})


def beside(response: Any) -> dict[str, Any]:
    """The spec facets of the search `response` answered: the companion endpoint asked with
    the same parameters, as the search page asks it."""
    companion = APIClient().get("/api/v1/search/spec-facets/", response.wsgi_request.GET)
    assert companion.status_code == 200, companion.content
    specs: dict[str, Any] = companion.json()["specs"]
    return specs


def found(response: Any, listings: dict[str, int]) -> set[str]:
    by_id = {machine_id: key for key, machine_id in listings.items()}
    return {by_id[result["id"]] for result in response.json()["results"]}


def counts(response: Any, facet: str) -> dict[str, int]:
    return {bucket["key"]: bucket["count"] for bucket in response.json()["facets"][facet]}


def test_a_range_in_tonnes_narrows_the_results_and_every_count(listings: dict[str, int]) -> None:
    response = search(**{"spec.operating_weight.min": "2.5", "spec.operating_weight.max": "3.5"})

    assert response.status_code == 200
    assert found(response, listings) == {"u27-jp", "u27-de", "tb230-gb"}
    assert response.json()["count"] == 3
    assert counts(response, "maker") == {"kubota": 2, "takeuchi": 1}
    assert counts(response, "category") == {"excavators": 3, "mini-excavators": 3}
    assert counts(response, "country") == {"JP": 1, "DE": 1, "GB": 1}
    weight = beside(response)["operating_weight"]
    # a spec's own range does not narrow its own histogram: all six visible listings
    assert (weight["kind"], weight["unit"], weight["min"], weight["max"]) == ("number", "t", 2.7, 20.5)
    assert sum(bucket["count"] for bucket in weight["buckets"]) == 6
    assert [weight["buckets"][0]["from"], weight["buckets"][-1]["to"]] == [2.7, 20.5]
    power = beside(response)["engine_power"]
    assert (power["min"], power["max"], sum(b["count"] for b in power["buckets"])) == (15.2, 18.2, 3)


def test_a_bound_typed_in_tonnes_includes_the_machine_at_that_weight(listings: dict[str, int]) -> None:
    response = search(
        **{"spec.operating_weight.max": "3.3"}
    )  # 3.3 / 0.001 is 3299.9999999999995 in floating point

    assert found(response, listings) == {"u27-jp", "u27-de", "tb230-gb"}  # the Takeuchi weighs 3,300 kg


def test_imperial_units_for_the_range_and_the_facets(listings: dict[str, int]) -> None:
    response = search(units="imperial", **{"spec.operating_weight.max": "7500"})  # lb: 3,402 kg

    assert found(response, listings) == {"u27-jp", "u27-de", "tb230-gb"}
    specs = beside(response)
    assert (specs["operating_weight"]["unit"], specs["operating_weight"]["min"]) == (
        "lb",
        5952.48,
    )  # 2,700 kg
    assert (specs["engine_power"]["unit"], specs["engine_power"]["max"]) == ("hp", 24.41)  # 18.2 kW
    assert specs["bucket_capacity"]["unit"] == "yd³"


def test_enumeration_values_filter_and_keep_their_own_counts(listings: dict[str, int]) -> None:
    response = search(**{"spec.undercarriage": "wheeled"})

    assert found(response, listings) == {"950m-us"}
    undercarriage = beside(response)["undercarriage"]
    assert undercarriage["kind"] == "enum"
    assert undercarriage["values"] == [
        {"key": "crawler", "label": "Crawler", "count": 5}, {"key": "wheeled", "label": "Wheeled", "count": 1},
    ]  # fmt: skip
    both = search(**{"spec.undercarriage": ["crawler", "wheeled"]})
    assert both.json()["count"] == 6


def test_facets_are_disjunctive_with_spec_filters(listings: dict[str, int]) -> None:
    response = search(maker="kubota", **{"spec.operating_weight.max": "5"})

    assert found(response, listings) == {"u27-jp", "u27-de"}
    # choosing Kubota still shows Takeuchi; the weight range still applies to the maker facet
    assert counts(response, "maker") == {"kubota": 2, "takeuchi": 1}
    # the weight histogram keeps every Kubota, whatever its weight
    weight = beside(response)["operating_weight"]
    assert (weight["min"], weight["max"]) == (2.7, 2.7)


def test_a_machine_value_overrides_its_model_value(listings: dict[str, int]) -> None:
    response = search(**{"spec.bucket_capacity.min": "0.08", "spec.bucket_capacity.max": "0.5"})

    assert found(response, listings) == {"u27-de"}  # 0.09 m³ of its own; the model says 0.07
    bucket = beside(response)["bucket_capacity"]
    assert sum(b["count"] for b in bucket["buckets"]) == 5  # the Takeuchi has no bucket value
    assert (bucket["min"], bucket["max"]) == (0.07, 3.1)


def test_text_narrows_the_candidates_and_the_graph_counts_within_them(listings: dict[str, int]) -> None:
    text_only = search(q="excavator", lang="en")
    assert found(text_only, listings) == {"u27-jp", "u27-de", "tb230-gb", "pc200-jp", "pc200-us"}
    assert counts(text_only, "category")["excavators"] == 5
    assert "loaders" not in counts(text_only, "category")

    response = search(q="excavator", lang="en", **{"spec.engine_power.min": "100"})

    assert found(response, listings) == {"pc200-jp", "pc200-us"}
    assert response.json()["count"] == 2
    assert counts(response, "maker") == {"komatsu": 2}
    assert counts(response, "category") == {"excavators": 2, "crawler-excavators": 2}
    power = beside(response)["engine_power"]
    assert (power["min"], power["max"]) == (15.2, 110.0)  # the wheel loader does not match the text
    assert "<mark>" in response.json()["results"][0]["highlight"]


def test_text_a_year_range_and_a_spec_filter_narrow_together(listings: dict[str, int]) -> None:
    # the engine applies the words and the years; the graph counts the specs over what is left
    response = search(q="excavator", lang="en", year_min="2014", **{"spec.engine_power.min": "16"})

    assert found(response, listings) == {"tb230-gb", "pc200-jp"}  # the U27-4 has 15.2 kW
    assert counts(response, "maker") == {"takeuchi": 1, "komatsu": 1}
    assert counts(response, "country") == {"GB": 1, "JP": 1}
    power = beside(response)["engine_power"]
    # its own filter aside, every listing with the words and the years: not the 2012 PC200
    assert sum(bucket["count"] for bucket in power["buckets"]) == 4


def test_each_search_document_names_the_graph_cohort_its_listing_is_counted_in(
    listings: dict[str, int],
) -> None:
    from graph.client import run_query
    from search.client import get_client
    from search.indices import MACHINES, alias_name

    in_graph = {
        int(machine_id): row["key"]
        for row in run_query("MATCH (co:Cohort) RETURN co.key AS key, co.machine_ids AS ids")
        for machine_id in row["ids"].split(",")
    }
    body = {"size": 100, "_source": ["id", "cohort"]}
    hits = get_client().search(index=alias_name(MACHINES), body=body)["hits"]["hits"]
    in_index = {hit["_source"]["id"]: hit["_source"]["cohort"] for hit in hits}

    assert (
        set(in_index)
        == set(in_graph)
        == {machine_id for key, machine_id in listings.items() if "draft" not in key}
    )
    assert in_index == in_graph
    # the U27-4 with its own bucket is a cohort of its own; its two siblings share one
    assert in_index[listings["u27-de"]] != in_index[listings["u27-jp"]]


@pytest.mark.parametrize(("text", "every_filter", "category"), [
    ("excavator", False, ()), ("excavator", True, ("mini-excavators",)), ("kubota", False, ()), ("nothing-like-it", False, ()),
])  # fmt: skip
def test_the_engines_cohort_tally_counts_what_the_candidate_ids_would(
    listings: dict[str, int], text: str, every_filter: bool, category: tuple[str, ...]
) -> None:
    from graph.facets import FacetRequest
    from graph.selectors import facet_search
    from search.engine import candidate_ids, cohort_tallies
    from search.query import SearchParams

    params = SearchParams(text=text, language="en", categories=category)
    tallies = cohort_tallies(params, every_filter=every_filter)
    ids = candidate_ids(params, every_filter=every_filter)

    assert tallies is not None
    assert sum(tallies.values()) == len(ids)
    by_tally = facet_search(FacetRequest(tallies=tallies, with_ids=True, with_countries=False))
    by_ids = facet_search(FacetRequest(candidates=ids, with_ids=True))
    assert by_tally.ids is None
    assert by_tally.cohorts is not None
    # every facet but the country facet, which the engine counts when it pages (search/selectors.py)
    assert (by_tally.total, by_tally.category, by_tally.maker, by_tally.model, by_tally.specs) == (
        by_ids.total, by_ids.category, by_ids.maker, by_ids.model, by_ids.specs)  # fmt: skip
    assert by_tally.country == {}
    # the spec facets alone (a search without spec filters): the same, from shorter queries
    specs_only = facet_search(
        FacetRequest(tallies=tallies, with_ids=False, with_countries=False, specs_only=True)
    )
    assert specs_only.specs == by_ids.specs
    assert (specs_only.total, specs_only.category, specs_only.maker, specs_only.model) == (0, {}, {}, {})
    with pytest.raises(ValueError, match="the engine's tallies have no countries"):
        facet_search(FacetRequest(tallies=tallies, with_ids=False, with_countries=True))


def test_past_the_engines_bucket_limit_or_with_a_country_the_spec_facets_count_ids_instead(
    listings: dict[str, int],
) -> None:
    from unittest.mock import patch

    from search import query
    from search.engine import cohort_tallies
    from search.query import SearchParams

    spec = {"spec.engine_power.min": "100"}
    expected = {"pc200-jp", "pc200-us"}
    bump_projection_version()
    by_tallies = beside(search(q="excavator", lang="en", **spec))
    with patch.object(query, "MAX_TALLY_BUCKETS", 1):
        assert cohort_tallies(SearchParams(text="excavator", language="en")) is None
        bump_projection_version()  # not the answer cached above
        response = search(q="excavator", lang="en", **spec)
        assert found(response, listings) == expected
        assert beside(response) == by_tallies
    response = search(q="excavator", lang="en", country="US", **spec)
    assert found(response, listings) == {"pc200-us"}
    assert counts(response, "country") == {"JP": 1, "US": 1}  # disjunctive: the country's own filter aside
    power = beside(response)["engine_power"]  # the US listings with the words, whatever their power
    assert (power["min"], power["max"]) == (110.0, 110.0)


def test_candidate_ids_come_in_id_order_in_one_request_or_page_by_page(listings: dict[str, int]) -> None:
    from search.engine import candidate_ids
    from search.query import SearchParams

    params = SearchParams(text="excavator", language="en")
    expected = tuple(
        sorted(listings[key] for key in ("u27-jp", "u27-de", "tb230-gb", "pc200-jp", "pc200-us"))
    )

    assert candidate_ids(params) == expected
    assert candidate_ids(params, page=2) == expected  # three requests, each after the last id
    assert candidate_ids(params, page=5) == expected  # a full last page, then an empty one


def test_text_and_a_category_give_spec_facets_over_what_matches_both(listings: dict[str, int]) -> None:
    response = search(q="excavator", lang="en", category="mini-excavators", country=["JP", "GB"])

    assert found(response, listings) == {"u27-jp", "tb230-gb"}
    assert re.fullmatch(r"engine;dur=\d+", response["Server-Timing"])  # the engine alone
    # the spec facets count the listings matching the words and every filter...
    power = beside(response)["engine_power"]
    assert (power["min"], power["max"], sum(b["count"] for b in power["buckets"])) == (15.2, 18.2, 2)
    # ...while the category and country counts leave out their own filter
    assert counts(response, "category") == {"excavators": 3, "mini-excavators": 2, "crawler-excavators": 1}
    assert counts(response, "country") == {"JP": 1, "DE": 1, "GB": 1}


def test_spec_filters_page_and_sort_in_the_engine(listings: dict[str, int]) -> None:
    first = search(sort="year", limit=2, **{"spec.undercarriage": "crawler"}).json()
    second = search(sort="year", limit=2, offset=2, **{"spec.undercarriage": "crawler"}).json()

    years = [result["year"] for result in first["results"] + second["results"]]
    assert first["count"] == 5
    assert years == sorted(years)
    assert len({result["id"] for result in first["results"] + second["results"]}) == 4


def test_without_facets_spec_filters_still_apply(listings: dict[str, int]) -> None:
    response = search(facets="0", **{"spec.operating_weight.min": "15"})

    assert found(response, listings) == {"pc200-jp", "pc200-us", "950m-us"}
    assert response.json()["facets"] == {}


def test_a_category_brings_spec_facets_beside_the_engines_results(listings: dict[str, int]) -> None:
    response = search(category="excavators")

    # the results and their facets are the engine's alone: the graph is not asked
    assert set(response.json()["facets"]) == {"category", "maker", "model", "country"}
    assert re.fullmatch(r"engine;dur=\d+", response["Server-Timing"])
    assert list(beside(response)) == [
        "operating_weight",
        "bucket_capacity",
        "undercarriage",
        "engine_power",
    ]
    assert "attachments" not in beside(response)  # free text is not a facet
    # the category narrows the spec facets (the wheel loader is left out) but not its own counts
    assert beside(response)["bucket_capacity"]["max"] == 0.8
    assert [value["key"] for value in beside(response)["undercarriage"]["values"]] == ["crawler"]
    assert counts(response, "category")["loaders"] == 1


def test_without_a_category_or_spec_filter_the_engine_answers_alone(listings: dict[str, int]) -> None:
    everything, words = search(), search(q="excavator", lang="en")

    for response in (everything, words):
        assert "specs" not in response.json()["facets"]
        assert beside(response) == {}  # spec facets are offered within a category
    assert counts(everything, "maker") == {"kubota": 2, "takeuchi": 1, "komatsu": 2, "caterpillar": 1}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"spec.nope.min": "1"}, "spec.nope"),
        ({"spec.nope": "x"}, "spec.nope"),
        ({"spec.undercarriage.min": "1"}, "spec.undercarriage"),
        ({"spec.engine_power": "big"}, "spec.engine_power"),
        ({"spec.undercarriage": "hovercraft"}, "spec.undercarriage"),
        ({"spec.engine_power.min": "lots"}, "spec.engine_power.min"),
        ({"spec.engine_power.min": "inf"}, "spec.engine_power.min"),
        ({"spec.engine_power.average": "3"}, "spec.engine_power.average"),
        ({"units": "furlongs"}, "units"),
    ],
)
def test_bad_spec_parameters_are_a_400(listings: dict[str, int], params: dict[str, str], field: str) -> None:
    response = search(**params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]


def test_without_neo4j_searches_answer_with_their_spec_filters_and_spec_facets_are_a_503(
    listings: dict[str, int], settings: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.NEO4J_URI = f"bolt://127.0.0.1:{port}"
    bump_projection_version()  # nothing cached from before: the graph must be asked

    plain = search(maker="kubota", category="excavators")
    filtered = search(**{"spec.undercarriage": "wheeled"})
    companion = APIClient().get("/api/v1/search/spec-facets/", {"maker": "kubota", "category": "excavators"})

    # the engine's results and facets, spec filters applied by the engine
    assert plain.status_code == filtered.status_code == 200
    assert found(plain, listings) == {"u27-jp", "u27-de"}
    assert counts(plain, "maker")["takeuchi"] == 1
    assert found(filtered, listings) == {"950m-us"}
    # spec facets need the graph: a 503, not a 500 or facets that ignore a filter
    assert companion.status_code == 503
    assert companion.json()["error"]["code"] == "service_unavailable"


def test_the_model_facet_counts_without_its_own_filter_from_the_engine_and_the_graph(
    listings: dict[str, int],
) -> None:
    from_engine = search(q="excavator", lang="en", model="komatsu-pc200-8")
    from_graph = search(model="komatsu-pc200-8", **{"spec.undercarriage": "crawler"})

    assert found(from_engine, listings) == {"pc200-jp", "pc200-us"}
    assert counts(from_engine, "model") == {"komatsu-pc200-8": 2, "kubota-u27-4": 2, "takeuchi-tb230": 1}
    assert found(from_graph, listings) == {"pc200-jp", "pc200-us"}
    assert counts(from_graph, "model") == {"komatsu-pc200-8": 2, "kubota-u27-4": 2, "takeuchi-tb230": 1}
    labels = {bucket["key"]: bucket["label"] for bucket in from_graph.json()["facets"]["model"]}
    assert labels["komatsu-pc200-8"] == "Komatsu PC200-8"
    # choosing the model narrows the makers (the model is not the maker facet's own filter)
    assert counts(from_graph, "maker") == {"komatsu": 2}
