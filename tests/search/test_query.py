"""search/query.py without a server: the shape of what is sent to the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import LANGUAGE_ANALYZERS
from search.query import (
    SORTS,
    SearchParams,
    Tuning,
    build_candidates,
    build_cohort_tallies,
    build_did_you_mean,
    build_search,
    build_suggest,
    decode_cursor,
    encode_cursor,
)


def language_clause(body: dict[str, Any], path: str) -> dict[str, Any]:
    """The clause of one language field: a title's among the titles' `dis_max`, a description's
    among the descriptions'."""
    clauses: list[dict[str, Any]] = []
    for clause in body["query"]["bool"]["must"][0]["bool"]["should"]:
        clauses += clause["dis_max"]["queries"] if "dis_max" in clause else [clause]
    return next(
        c
        for c in clauses
        if ("bool" in c and path in json.dumps(c["bool"]["should"][0]))
        or ("constant_score" in c and path in json.dumps(c["constant_score"]["filter"]))
    )


def test_each_language_field_gets_phrase_prefix_and_ngram_clauses_with_one_required() -> None:
    body = build_search(SearchParams(text="komatsu excavator", language="en"))

    clause = language_clause(body, "title.de")["bool"]
    kinds = [next(iter(should)) for should in clause["should"]]
    assert kinds == ["match_phrase", "constant_score", "constant_score", "match"]
    assert clause["minimum_should_match"] == 1
    assert clause["should"][2] == {
        "constant_score": {
            "filter": {"match": {"title.de.ngram": {"query": "komatsu excavator", "operator": "and"}}},
            "boost": 0.5,
        }
    }
    description = language_clause(body, "description.en")["constant_score"]
    assert description == {
        "filter": {"match": {"description.en": {"query": "komatsu excavator", "operator": "and"}}},
        "boost": Tuning().language_boost * Tuning().description_weight,
    }


def test_synonyms_expand_the_words_clause_and_phrases_read_the_buyers_own_words() -> None:
    body = build_search(SearchParams(text="digger", language="ja"))

    should = language_clause(body, "title.ja")["bool"]["should"]
    assert should[0]["match_phrase"]["title.ja"]["analyzer"] == "ja_text"
    assert should[1]["constant_score"]["filter"]["match_phrase_prefix"]["title.ja"]["analyzer"] == "ja_text"
    assert (
        "analyzer" not in should[-1]["match"]["title.ja"]
    )  # the field's search analyser, with the trade synonyms
    for path in ("description.en", "description.ja"):
        description = language_clause(body, path)["constant_score"]["filter"]["match"][path]
        assert "analyzer" not in description


@pytest.mark.parametrize(
    ("text", "buyer"),
    [("excavator", "en"), ("PC200-8", "ja"), ("油圧ショベル", "en"), ("コマツ PC200", "zh"), ("320", "de")],
)
def test_every_language_field_is_queried_whatever_the_script(text: str, buyer: str) -> None:
    # Latin words stand in Japanese texts and CJK words in Latin ones (tests/search/test_cross_script.py)
    body = build_search(SearchParams(text=text, language=buyer))

    for language in LANGUAGE_ANALYZERS:
        boost = language_clause(body, f"title.{language}")["bool"]["boost"]
        assert boost == (Tuning().language_boost if language == buyer else 1.0)


def test_the_buyer_language_fields_are_boosted() -> None:
    tuning = Tuning(language_boost=2.5)
    body = build_search(SearchParams(text="ショベル", language="ja", tuning=tuning))

    assert language_clause(body, "title.ja")["bool"]["boost"] == 2.5
    assert language_clause(body, "title.zh")["bool"]["boost"] == 1.0
    assert body["query"]["bool"]["should"] == [{"term": {"languages": {"value": "ja", "boost": 1.5}}}]
    assert set(body["highlight"]["fields"]) == {"title.ja", "description.ja", "title.en", "description.en"}


def test_fuzziness_does_not_fire_on_short_tokens() -> None:
    body = build_search(SearchParams(text="excavtor"))
    fuzzy = [
        c for c in body["query"]["bool"]["must"][0]["bool"]["should"] if "spelling" in c.get("match", {})
    ]

    assert fuzzy == [
        {
            "match": {
                "spelling": {
                    "query": "excavtor",
                    "fuzziness": "AUTO:5,8",
                    "prefix_length": 1,
                    "operator": "and",
                    "boost": 0.6,
                }
            }
        }
    ]


def test_a_model_number_query_adds_an_exact_keyword_clause() -> None:
    should = build_search(SearchParams(text="PC200-8"))["query"]["bool"]["must"][0]["bool"]["should"]
    assert {"term": {"model_number": {"value": "pc200-8", "boost": 8.0}}} in should
    plain = build_search(SearchParams(text="excavator"))["query"]["bool"]["must"][0]["bool"]["should"]
    assert not any("term" in clause for clause in plain)


def test_facet_filters_go_to_post_filter_and_each_facet_ignores_its_own() -> None:
    body = build_search(SearchParams(makers=("kubota",), categories=("excavators",), year_min=2015))

    assert body["post_filter"] == {
        "bool": {
            "filter": [{"terms": {"category.path": ["excavators"]}}, {"terms": {"maker.slug": ["kubota"]}}]
        }
    }
    assert body["query"]["bool"]["filter"] == [{"range": {"year": {"gte": 2015}}}]
    assert body["aggs"]["maker"]["filter"] == {
        "bool": {"filter": [{"terms": {"category.path": ["excavators"]}}]}
    }
    assert body["aggs"]["category"]["filter"] == {"bool": {"filter": [{"terms": {"maker.slug": ["kubota"]}}]}}
    assert body["aggs"]["country"]["filter"]["bool"]["filter"] == list(body["post_filter"]["bool"]["filter"])


def test_no_text_means_match_all_without_min_score_or_highlight() -> None:
    body = build_search(SearchParams(sort="newest"))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert "min_score" not in body
    assert "highlight" not in body
    assert body["sort"] == SORTS["newest"]


def test_min_score_applies_to_relevance_sorted_text_queries_only() -> None:
    assert build_search(SearchParams(text="x", tuning=Tuning(min_score=0.7)))["min_score"] == 0.7
    assert "min_score" not in build_search(SearchParams(text="x", sort="price"))


def test_search_after_replaces_from() -> None:
    body = build_search(SearchParams(search_after=(1_000, 42), sort="price"))
    assert body["search_after"] == [1_000, 42]
    assert "from" not in body


def test_unknown_sort_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sort"):
        build_search(SearchParams(sort="random"))


def test_suggest_uses_the_language_context_and_fuzzes_longer_prefixes() -> None:
    short = build_suggest("ko", "en")["suggest"]["machines"]["completion"]
    longer = build_suggest("komat", "ja")["suggest"]["machines"]["completion"]
    assert short["contexts"] == {"language": ["en"]}
    assert "fuzzy" not in short
    assert longer["fuzzy"] == {"fuzziness": "AUTO:4,7"}
    assert longer["contexts"] == {"language": ["ja"]}


def test_cursor_round_trip_and_rejection() -> None:
    assert decode_cursor(encode_cursor([12.5, 1796515200000, 7])) == (12.5, 1796515200000, 7)
    assert decode_cursor(encode_cursor([9_000_000, 7]), "price") == (9_000_000, 7)
    for values, sort in [
        ([{"nested": 1}], "relevance"),
        ([12.5, "abc", 7], "relevance"),  # the engine would refuse it: a 400, not its error
        ([12.5, 7], "relevance"),  # not as many values as the sort has keys
        ([True, 1], "price"),
        ([2**64, 1], "price"),
    ]:
        with pytest.raises(ValueError):
            decode_cursor(encode_cursor(values), sort)  # type: ignore[arg-type]


def _values_under(node: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in _values_under(v, k)]
    if isinstance(node, list):
        return [pair for item in node for pair in _values_under(item, key)]
    return [(key, node)]


@settings(max_examples=300)
@given(
    text=st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
    language=st.sampled_from(sorted(LANGUAGE_ANALYZERS)),
)
def test_user_text_is_only_ever_a_match_value(text: str, language: str) -> None:
    body = build_search(SearchParams(text=text, language=language))
    constant = set(_values_under(build_search(SearchParams(text="\u2603sentinel\u2603", language=language))))

    assert "query_string" not in json.dumps(body)
    carriers = {
        key
        for key, value in _values_under(body)
        if (key, value) not in constant
        and isinstance(value, str)
        and value in {text, text.strip(), text.strip().lower()}
    }
    assert carriers <= {"query", "value", "text"}


def test_did_you_mean_is_asked_apart_and_only_for_text() -> None:
    # most searches find plenty: the phrase suggester is a second request after few hits
    assert "suggest" not in build_search(SearchParams(text="excavator", language="en"))
    body = build_did_you_mean("  bulldozr wheel ")

    assert body["size"] == 0
    assert body["suggest"]["text"] == "bulldozr wheel"
    assert body["suggest"]["did_you_mean"]["phrase"]["field"] == "spelling"


def test_the_cohort_tally_counts_the_candidates_matches_per_cohort_without_hits() -> None:
    params = SearchParams(
        text="excavator", language="en", year_min=2015, categories=("cranes",), countries=("JP",)
    )

    body = build_cohort_tallies(params)
    every = build_cohort_tallies(params, every_filter=True)

    candidates = build_candidates(params)
    assert body["query"] == candidates["query"]  # the same matches as the ids would be
    assert body["min_score"] == candidates["min_score"]
    assert (body["size"], body["_source"], body["track_total_hits"]) == (0, False, False)
    assert "sort" not in body
    assert body["aggs"] == {"cohorts": {"terms": {"field": "cohort", "size": 60_000}}}
    # the ranges always apply; the category and country only with every filter
    assert {"range": {"year": {"gte": 2015}}} in body["query"]["bool"]["filter"]
    assert {"terms": {"country": ["JP"]}} not in body["query"]["bool"]["filter"]
    assert {"terms": {"country": ["JP"]}} in every["query"]["bool"]["filter"]


def test_cohorts_narrow_a_search_like_ids_do() -> None:
    body = build_search(SearchParams(text="excavator", cohorts=("7-ab", "9-cd")))

    assert {"terms": {"cohort": ["7-ab", "9-cd"]}} in body["query"]["bool"]["filter"]
