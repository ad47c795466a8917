"""graph/facets: the requests it accepts, the Cypher it builds (values only ever in parameters)
and how records become a result, without a server."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.cypher import Rendered
from graph.facets import (
    Bucket,
    EnumFacet,
    FacetRequest,
    FacetRequestError,
    NumberFacet,
    SpecInfo,
    SpecRange,
    SpecValues,
    build_facet_queries,
    cohort_model_id,
    combine,
    histogram,
)
from graph.rows import cohort_key
from tests.graph.cypher.support import INJECTIONS

SPECS = {
    "operating_weight": SpecInfo("operating_weight", "number", "kg"),
    "engine_power": SpecInfo("engine_power", "number", "kW"),
    "fuel": SpecInfo("fuel", "enum"),
    "bucket_capacity": SpecInfo("bucket_capacity", "number", "m3", per_machine=True),
    "air_conditioning": SpecInfo("air_conditioning", "enum", per_machine=True),
    "attachments": SpecInfo("attachments", "text", per_machine=True),
}


def sure(rendered: Rendered | None) -> Rendered:
    """A query the request must have built."""
    assert rendered is not None
    return rendered


def texts(request: FacetRequest) -> list[str]:
    queries = build_facet_queries(request, SPECS)
    return [query.text for query in (queries.models, queries.countries, queries.machine_specs) if query]


def parameters(request: FacetRequest) -> list[Any]:
    queries = build_facet_queries(request, SPECS)
    found: list[Any] = []
    for query in (queries.models, queries.countries, queries.machine_specs):
        if query:
            found += list(query.parameters.values())
    return found


def test_without_filters_no_machine_is_flagged_and_every_row_counts() -> None:
    queries = build_facet_queries(FacetRequest(), SPECS, grouped=False)

    assert "misses" not in sure(queries.models).text
    assert "misses" not in sure(queries.countries).text
    assert sure(queries.countries).text.endswith(
        "RETURN collect([country, n]) AS countries, collect(ids) AS ids"
    )
    # machine-level facets exist for the specs a machine overrides, and only number and enum specs
    assert queries.machine_specs is not None
    assert ["air_conditioning", "bucket_capacity"] in sure(queries.machine_specs).parameters.values()
    assert ["engine_power", "fuel", "operating_weight"] in sure(queries.models).parameters.values()


def test_cohorts_answer_when_no_filter_needs_a_machine_and_rows_count_by_weight() -> None:
    request = FacetRequest(categories=("excavators",), specs=(SpecValues("air_conditioning", ("yes",)),))

    queries = build_facet_queries(request, SPECS)

    assert "COHORT_OF" in sure(queries.models).text
    assert "IS_OF_MODEL" not in sure(queries.models).text
    assert "RETURN f_spec0, sum(m.`machine_count`) AS n" in sure(queries.models).text
    # a spec filter on a per-machine spec is a set of cohorts, found from the Spec node's side
    assert re.search(
        r"OPTIONAL MATCH \(:`Spec` \{`code`: \$p\d+\}\)<-\[r:`COHORT_HAS_SPEC`\]-\(p\)",
        sure(queries.models).text,
    )
    # ids are the matching cohorts' id lists; countries come from each cohort's tally
    assert "collect(m.`machine_ids`) AS ids" in sure(queries.countries).text
    assert "WITH cs[i] AS country, sum(ns[i]) AS n" in sure(queries.countries).text
    assert queries.machine_specs is not None
    assert "sum(p.`machine_count`) AS tally" in sure(queries.machine_specs).text
    # with no per-machine filter, every cohort counts whole: the model's own count is read
    plain = build_facet_queries(FacetRequest(categories=("excavators",)), SPECS).models.text
    assert "mo.`machine_count` AS n" in plain
    assert "CALL (mo) {" not in plain


@pytest.mark.parametrize(
    "request_", [FacetRequest(year_min=2015), FacetRequest(hours_max=5000), FacetRequest(price_max=10),
                 FacetRequest(countries=("JP",)), FacetRequest(candidates=(1, 2), year_max=2020)],
)  # fmt: skip
def test_what_only_a_machine_knows_sends_the_request_to_the_machines(request_: FacetRequest) -> None:
    queries = build_facet_queries(request_, SPECS)

    assert "IS_OF_MODEL" in sure(queries.models).text
    assert "Cohort" not in sure(queries.countries).text


def test_text_candidates_reach_cohorts_as_tallies_bound_as_parameters() -> None:
    request = FacetRequest(candidates=(4, 7, 9), categories=("excavators",))
    tallies = {"12-ab": 2, "15-cd": 1}

    queries = build_facet_queries(request, SPECS, tallies=tallies)

    assert (
        "MATCH (mo)<-[:`COHORT_OF`]-(m)\n  WHERE $cohort_counts[m.`key`] IS NOT NULL"
        in sure(queries.models).text
    )
    assert "sum($cohort_counts[m.`key`]) AS n" in sure(queries.models).text
    assert sure(queries.models).parameters["cohort_counts"] == {"12-ab": 2, "15-cd": 1}
    # the matching cohorts' keys only (the selector holds their candidates and countries),
    # collected by the machine-level specs query, which walks the same cohorts
    assert queries.countries is None
    assert (
        "WHERE $cohort_counts[m.`key`] IS NOT NULL\nWITH collect(m) AS matching, collect(m.`key`) AS ids"
        in sure(queries.machine_specs).text
    )
    assert sure(queries.machine_specs).text.endswith("RETURN rows, ids")
    assert "candidate" not in sure(queries.machine_specs).text
    # with no spec some machine overrides, the countries query collects them
    catalogue_only = {code: info for code, info in SPECS.items() if not info.per_machine}
    alone = build_facet_queries(request, catalogue_only, tallies=tallies)
    assert alone.machine_specs is None
    assert sure(alone.countries).text.endswith(
        "WHERE $cohort_counts[m.`key`] IS NOT NULL\nRETURN collect(m.`key`) AS ids"
    )
    # a machine-level filter: only the cohorts passing it are matching
    per_machine = FacetRequest(candidates=(4, 7, 9), specs=(SpecValues("air_conditioning", ("yes",)),))
    assert (
        "collect(CASE WHEN misses = $p"
        in sure(build_facet_queries(per_machine, SPECS, tallies=tallies).machine_specs).text
    )
    # without tallies, candidates are machines
    assert "UNWIND $p0 AS candidate_id" in sure(build_facet_queries(request, SPECS).countries).text
    with pytest.raises(ValueError, match="cohorts count text candidates only from their tallies"):
        build_facet_queries(request, SPECS, grouped=True)


@pytest.mark.parametrize(
    "request_",
    [FacetRequest(tallies={"1-a": 1}, countries=("JP",), with_countries=False),
     FacetRequest(tallies={"1-a": 1}, candidates=(1,), with_countries=False),
     FacetRequest(tallies={"1-a": 1}, year_min=2000, with_countries=False)],
)  # fmt: skip
def test_engine_tallies_only_come_with_filters_cohorts_can_apply(request_: FacetRequest) -> None:
    with pytest.raises(ValueError, match="tallies from the engine are counted by cohorts alone"):
        build_facet_queries(request_, SPECS)


def test_engine_tallies_weigh_cohorts_like_the_selectors_own() -> None:
    tallies = {"12-ab": 2}

    queries = build_facet_queries(FacetRequest(tallies=tallies, with_countries=False), SPECS)

    assert sure(queries.models).parameters["cohort_counts"] == {"12-ab": 2}
    assert "collect(m.`key`) AS ids" in sure(queries.machine_specs).text
    with pytest.raises(ValueError, match="the engine's tallies have no countries"):
        build_facet_queries(FacetRequest(tallies=tallies), SPECS)


def test_spec_facets_alone_from_tallies_skip_the_other_facets_and_the_walk_from_models() -> None:
    request = FacetRequest(tallies={"12-ab": 2}, with_ids=False, with_countries=False, specs_only=True)

    queries = build_facet_queries(request, SPECS)

    assert not re.search(r"AS facet, (mk|mo)\.`slug` AS item", sure(queries.models).text)
    assert "UNWIND c.`path`" not in sure(queries.models).text
    # the catalogue values are weighed per model: the tallies summed by model beforehand
    assert "MATCH (mo:`Model` {`id`: $model_ids[i]})-[r:`HAS_SPEC`]->(s)" in sure(queries.models).text
    assert "cohort_counts" not in sure(queries.models).parameters
    # every cohort with a tally counts: one pass over the overridden specs' relationships
    assert sure(queries.machine_specs).text.startswith(
        "MATCH (s:`Spec`)<-[r:`COHORT_HAS_SPEC`]-(p)\nWHERE s.`code` IN $p"
    )
    assert "$cohort_counts[p.`key`] AS n" in sure(queries.machine_specs).text
    assert "Model" not in sure(queries.machine_specs).text
    # with a filter the graph applies, the cohorts are found from the models as before
    filtered = build_facet_queries(replace(request, categories=("excavators",)), SPECS)
    assert "MADE_MODEL" in sure(filtered.machine_specs).text
    assert "MATCH (mo)-[r:`HAS_SPEC`]->(s:`Spec`)" in sure(filtered.models).text
    # with no catalogue spec to count, the models query counts the total alone
    no_model_specs = {code: info for code, info in SPECS.items() if info.per_machine}
    alone = sure(build_facet_queries(request, no_model_specs).models).text
    assert "AS item" in alone
    assert "UNION" not in alone
    assert "mk.`slug`" not in alone


def test_tallies_are_summed_per_model_for_the_catalogue_values() -> None:
    tallies = {cohort_key(12, (("a", 1),)): 2, cohort_key(12, (("a", 2),)): 3, cohort_key(7, ()): 1}
    request = FacetRequest(tallies=tallies, with_ids=False, with_countries=False, specs_only=True)

    models = build_facet_queries(request, SPECS).models

    assert [cohort_model_id(key) for key in tallies] == [12, 12, 7]
    assert (models.parameters["model_ids"], models.parameters["model_counts"]) == ([7, 12], [1, 5])


def test_model_level_filters_are_flags_on_models_and_machine_level_ones_on_machines() -> None:
    request = FacetRequest(
        categories=("excavators",), makers=("kubota",), countries=("JP",),
        specs=(SpecRange("operating_weight", 1000, 3000), SpecValues("air_conditioning", ("yes",))),
    )  # fmt: skip

    models = sure(build_facet_queries(request, SPECS).models).text

    assert re.search(r"\$p\d+ IN c\.`path` AS f_category", models)
    assert re.search(r"mk\.`slug` IN \$p\d+ AS f_maker", models)
    # a spec no machine overrides is a set of models found from the Spec node's side...
    assert re.search(
        r"OPTIONAL MATCH \(:`Spec` \{`code`: \$p\d+\}\)<-\[r:`HAS_SPEC`\]-\(x:`Model`\)\n"
        r"WHERE r\.`number` >= \$p\d+ AND r\.`number` <= \$p\d+\nWITH collect\(x\) AS models0",
        models,
    )
    assert "mo IN models0 AS f_spec0" in models
    # ...one that some machine overrides is a set of machines found from the Spec node's side
    assert re.search(
        r"OPTIONAL MATCH \(:`Spec` \{`code`: \$p\d+\}\)<-\[r:`HAS_SPEC`\]-\(p\)\nWHERE r\.`text` IN \$p\d+\n"
        r"WITH models0, collect\(p\) AS passing1",
        models,
    )
    assert "m IN passing1 AS f_spec1" in models
    assert re.search(r"m\.`country` IN \$p\d+ AS f_country", models)
    assert "WHERE model_misses <= $p" in models
    assert (
        "toInteger(NOT f_category) + toInteger(NOT f_maker) + toInteger(NOT f_spec0) + toInteger(NOT f_country) "
        "+ toInteger(NOT f_spec1) AS misses" in models
    )


def test_each_facet_counts_the_rows_whose_only_miss_is_its_own_filter() -> None:
    request = FacetRequest(
        categories=("excavators",), makers=("kubota",), specs=(SpecRange("engine_power", 10),)
    )

    models = sure(build_facet_queries(request, SPECS).models).text

    assert re.search(r"WHERE misses = \$p\d+ OR NOT f_category\n  UNWIND c\.`path` AS item", models)
    assert re.search(
        r"WHERE misses = \$p\d+ OR NOT f_maker\n  RETURN \$p\d+ AS facet, mk\.`slug` AS item", models
    )
    assert re.search(
        r"WHERE misses = \$p\d+\n  RETURN \$p\d+ AS facet, mo\.`slug` AS item", models
    )  # not filtered
    assert re.search(
        r"WHERE s\.`code` IN \$p\d+ AND \(misses = \$p\d+ OR s\.`code` = \$p\d+ AND NOT f_spec0\)", models
    )


def test_candidates_become_a_set_of_machine_nodes() -> None:
    queries = build_facet_queries(FacetRequest(candidates=(3, 5, 8)), SPECS)

    assert sure(queries.countries).text.startswith(
        "UNWIND $p0 AS candidate_id\nMATCH (k:`Machine` {`id`: candidate_id})\nWITH collect(k) AS candidates\n"
    )
    assert sure(queries.countries).parameters["p0"] == [3, 5, 8]
    assert "WHERE m IN candidates" in sure(queries.countries).text


def test_ids_are_only_collected_when_asked_for() -> None:
    with_ids = build_facet_queries(FacetRequest(countries=("JP",)), SPECS).countries
    without = build_facet_queries(FacetRequest(countries=("JP",), with_ids=False), SPECS).countries

    assert "collect(CASE WHEN misses = $p" in sure(with_ids).text
    assert "ids" not in sure(without).text


@pytest.mark.parametrize(
    ("spec_filter", "field", "message"),
    [
        (SpecRange("nope", 1), "spec.nope", "There is no spec 'nope'."),
        (SpecRange("fuel", 1), "spec.fuel", "'fuel' is not a number; filter it by value."),
        (
            SpecValues("engine_power", ("100",)),
            "spec.engine_power",
            "'engine_power' is not an enumeration; filter it by range.",
        ),
        (
            SpecValues("attachments", ("hammer",)),
            "spec.attachments",
            "'attachments' is not an enumeration; filter it by range.",
        ),
        (SpecRange("engine_power"), "spec.engine_power", "A range needs a finite minimum, maximum or both."),
        (
            SpecRange("engine_power", float("nan")),
            "spec.engine_power",
            "A range needs a finite minimum, maximum or both.",
        ),
        (SpecValues("fuel", ()), "spec.fuel", "Give at least one value."),
    ],
)
def test_spec_filters_that_do_not_fit_are_refused(spec_filter: Any, field: str, message: str) -> None:
    with pytest.raises(FacetRequestError) as caught:
        build_facet_queries(FacetRequest(specs=(spec_filter,)), SPECS)

    assert (caught.value.field, caught.value.message) == (field, message)


def test_one_filter_per_spec() -> None:
    with pytest.raises(FacetRequestError, match=r"Only one filter per spec\."):
        build_facet_queries(
            FacetRequest(specs=(SpecRange("engine_power", 1), SpecRange("engine_power", 5))), SPECS
        )


words = st.one_of(st.sampled_from(INJECTIONS), st.text(min_size=1, max_size=12))


@settings(max_examples=60, deadline=None)
@given(
    categories=st.lists(words, max_size=3), makers=st.lists(words, max_size=2), models=st.lists(words, max_size=2),
    countries=st.lists(words, max_size=2), fuels=st.lists(words, min_size=1, max_size=2),
    low=st.floats(allow_nan=False, allow_infinity=False), candidates=st.none() | st.lists(st.integers(1, 2**40), max_size=5),
    year=st.none() | st.integers(1900, 2100),
)  # fmt: skip
def test_user_input_only_ever_travels_as_parameters(
    categories: list[str],
    makers: list[str],
    models: list[str],
    countries: list[str],
    fuels: list[str],
    low: float,
    candidates: list[int] | None,
    year: int | None,
) -> None:
    def request_of(name: Any) -> FacetRequest:
        return FacetRequest(
            candidates=None if candidates is None else tuple(candidates), categories=tuple(map(name, categories)),
            makers=tuple(map(name, makers)), models=tuple(map(name, models)), countries=tuple(map(name, countries)),
            year_min=year, specs=(SpecValues("fuel", tuple(map(name, fuels))), SpecRange("bucket_capacity", low),
                                  SpecValues("air_conditioning", tuple(map(name, fuels)))),
        )  # fmt: skip

    request = request_of(lambda value: value)
    rendered = texts(request)
    values = parameters(request)

    # the same text whatever the values are: they cannot reach it, let alone change its shape
    assert rendered == texts(request_of(lambda value: "placeholder"))
    for value in [*categories, *makers, *models, *countries, *fuels]:
        if (
            len(value) >= 4
            and not value.isidentifier()
            and all(value not in text for text in texts(FacetRequest()))
        ):
            assert all(value not in text for text in rendered)
    flat = [item for value in values for item in (value if isinstance(value, list) else [value])]
    for value in [*categories, *makers, *models, *countries, *fuels]:
        assert value in flat
    assert all(
        re.fullmatch(r"[A-Za-z0-9_$`.:(){}\[\]<>\-=+*,\s]*", text.replace("'", "")) for text in rendered
    )


def test_histogram_has_equal_buckets_from_min_to_max_with_the_maximum_in_the_last() -> None:
    facet = histogram({0.0: 2, 5.0: 1, 9.99: 1, 10.0: 3})

    assert facet.minimum == 0.0
    assert facet.maximum == 10.0
    assert [bucket.count for bucket in facet.buckets] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 4]
    assert facet.buckets[0] == Bucket(0.0, 1.0, 2)
    assert facet.buckets[-1] == Bucket(9.0, 10.0, 4)


def test_a_single_value_is_a_single_bucket() -> None:
    assert histogram({20_500.0: 7}) == NumberFacet(20_500.0, 20_500.0, (Bucket(20_500.0, 20_500.0, 7),))


def test_records_combine_into_a_result() -> None:
    model_rows = [
        {"facet": "category", "rows": [["excavators", None, None, 5], ["mini-excavators", None, None, 3]]},
        {"facet": "maker", "rows": [["kubota", None, None, 3], ["komatsu", None, None, 2]]},
        {"facet": "model", "rows": [["kubota-u27", None, None, 3]]},
        {"facet": "total", "rows": [[None, None, None, 3]]},
        {"facet": "spec", "rows": [["operating_weight", 2700.0, None, 2], ["operating_weight", 2900.0, None, 1],
                                   ["fuel", None, "diesel", 3], ["engine_power", None, None, 0]]},
    ]  # fmt: skip
    country_row = {"countries": [["JP", 2], ["DE", 1]], "ids": [[1, 2], [7]]}
    machine_spec_row = {"rows": [["air_conditioning", None, "yes", 2], ["air_conditioning", None, "no", 1]]}

    result = combine(cast(list[dict[str, Any]], model_rows), country_row, machine_spec_row, SPECS)

    assert result.total == 3
    assert result.ids == frozenset({1, 2, 7})
    assert result.category == {"excavators": 5, "mini-excavators": 3}
    assert result.maker == {"kubota": 3, "komatsu": 2}
    assert result.model == {"kubota-u27": 3}
    assert result.country == {"JP": 2, "DE": 1}
    assert result.specs == {
        "air_conditioning": EnumFacet({"yes": 2, "no": 1}),
        "fuel": EnumFacet({"diesel": 3}),
        "operating_weight": histogram({2700.0: 2, 2900.0: 1}),
    }
