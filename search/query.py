"""Building the search request: pure functions from parameters to the engine's query DSL
(tested without a server). User text only ever goes into `match`-family queries as a value;
no `query_string` anywhere.

Shape, per language field (after the seed's buildNameMatchQuery): a `bool` of `should`
clauses — phrase match, phrase prefix, a match on the `ngram` subfield with its own boost,
and for Latin scripts a fuzzy match that does not fire on short tokens or model numbers —
with `minimum_should_match: 1`. The buyer's language's fields are boosted, and so are listings
written in that language. A listing's best title counts, its other languages' titles a little
(`dis_max`): written in five languages, it is no more relevant than in one. A description
only says the listing mentions the words, with one score whatever they are (a title says
what the machine is; a Japanese or Chinese description's bigrams would outscore it). A year
in the text also finds, and ranks up, the listings of that year. Facet filters go to
`post_filter` so each facet can count with the other filters applied but not its own
(disjunctive facets).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from graph.facets import ListingFilters, SpecFilter, SpecValues
from search.analysis import LANGUAGE_ANALYZERS, trade_synonyms

MAX_WINDOW = 10_000  # offset + limit beyond this must page with search_after
MAX_TERMS = 65_536  # the engine's default index.max_terms_count: longer id lists are split
# Ids of text matches per request for the graph: one request for any search short of the
# whole catalogue (each page re-runs the text query; the index allows this window).
CANDIDATES_PAGE = 100_000
# Buckets of a cohort tally (one per cohort): the engine refuses more than 65,536; past this
# many a search falls back to candidate ids.
MAX_TALLY_BUCKETS = 60_000
MAX_LIMIT = 100
SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": "desc"}, {"published_at": "desc"}, {"id": "desc"}],
    "price": [{"price_eur_cents": "asc"}, {"id": "asc"}],
    "-price": [{"price_eur_cents": "desc"}, {"id": "desc"}],
    "year": [{"year": "asc"}, {"id": "asc"}],
    "-year": [{"year": "desc"}, {"id": "desc"}],
    "hours": [{"hours": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
    "newest": [{"published_at": "desc"}, {"id": "desc"}],
}
FACET_FIELDS = {
    "category": "category.path",
    "maker": "maker.slug",
    "model": "model.slug",
    "country": "country",
}
MODEL_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9\-./]*$")
# A year standing alone or before a unit ("2015", "2015年式"), not inside a model number (PC2000)
YEAR = re.compile(r"(?<![\w.])(?:19[5-9]\d|20\d\d)(?![\d.,])")


@dataclass(frozen=True)
class Tuning:
    phrase_boost: float = 3.0
    prefix_boost: float = 2.0
    ngram_boost: float = 0.5
    fuzzy_boost: float = 0.6
    description_weight: float = 0.3
    language_boost: float = 2.0
    written_in_language_boost: float = 1.5
    model_number_boost: float = 4.0
    series_boost: float = 4.0
    maker_boost: float = 2.0
    # A category's names say what the machine is: in any language, they are what finds a
    # listing written in another, and must outweigh the buyer's language's own preference.
    category_boost: float = 1.0
    year_boost: float = 3.0
    other_titles_weight: float = 0.2  # a listing's titles in languages other than its best match
    min_score: float = 0.1


@dataclass(frozen=True, kw_only=True)
class SearchParams(ListingFilters):
    """A search: the buyer's filters (prices in cents of the pivot currency), the text, and
    how the page is wanted."""

    text: str = ""
    language: str = "en"
    machine_ids: tuple[int, ...] | None = None  # restrict to these (the graph's spec filters)
    cohorts: tuple[str, ...] | None = None  # restrict to these cohorts (the same, counted per cohort)
    units: str = "metric"  # unit system the spec facets are shown in
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    search_after: tuple[Any, ...] | None = None
    facets: bool = True
    facet_fields: tuple[str, ...] = tuple(FACET_FIELDS)  # which of the engine's facets to count
    # How many of the text's words a listing must match somewhere (None: every one). Fewer
    # only when every word found nothing: see search/selectors.py, `relaxed_steps`.
    required_words: int | None = None
    tuning: Tuning = field(default_factory=Tuning)


def _title_query(text: str, language: str, boost: float, tuning: Tuning) -> dict[str, Any]:
    """Phrase, phrase-prefix, partial-word and words clauses for one language's title
    (descriptions are matched by their words only: see `text_query`).

    Trade synonyms expand only the plain words clause: the phrase clauses reward the buyer's
    own words in order, and read with synonyms they became span queries over every listing
    that has one of them (about half the search's time for a broad word such as "excavator").
    The words clause still finds, and scores, every listing a synonym names."""
    # the index-time analyser: the same tokens, no synonyms
    exact = LANGUAGE_ANALYZERS[language]
    path = f"title.{language}"
    should: list[dict[str, Any]] = [
        {"match_phrase": {path: {"query": text, "boost": tuning.phrase_boost, "analyzer": exact}}}
    ]
    # A partial word scores the same whatever it completes: scored by the completion's
    # rarity, "Bagger" ranked the rarer Baggerlader (a loader) above every Kettenbagger.
    prefix = {"match_phrase_prefix": {path: {"query": text, "max_expansions": 20, "analyzer": exact}}}
    partial = {"match": {f"{path}.ngram": {"query": text, "operator": "and"}}}
    should.append({"constant_score": {"filter": prefix, "boost": tuning.prefix_boost}})
    should.append({"constant_score": {"filter": partial, "boost": tuning.ngram_boost}})
    should.append({"match": {path: {"query": text, "operator": "and"}}})
    return {"bool": {"should": should, "minimum_should_match": 1, "boost": boost}}


@cache
def _synonym_phrases() -> frozenset[tuple[str, ...]]:
    """The trade synonyms of more than one word, each as its words ("wheel", "loader")."""
    phrases = set()
    for rule in trade_synonyms():
        for entry in rule.replace("=>", ",").split(","):
            words = tuple(entry.lower().split())
            if len(words) > 1:
                phrases.add(words)
    return frozenset(phrases)


def text_words(text: str) -> list[str]:
    """The text's words as the buyer meant them: split at spaces, a trade term of several
    words ("wheel loader") kept whole so its synonyms still apply. Japanese and Chinese are
    written without spaces: a run of them is one word here, and the engine's analysis splits it."""
    words = text.split()
    phrases = _synonym_phrases()
    longest = max((len(phrase) for phrase in phrases), default=1)
    units: list[str] = []
    start = 0
    while start < len(words):
        for size in range(min(longest, len(words) - start), 0, -1):
            candidate = words[start : start + size]
            if size == 1 or tuple(word.lower() for word in candidate) in phrases:
                units.append(" ".join(candidate))
                start += size
                break
    return units


def years_in(text: str) -> list[int]:
    """The years the text names: "2015 komatsu" and "コマツ 2015年式" name 2015."""
    return sorted({int(year) for year in YEAR.findall(text)})


def word_found(word: str) -> dict[str, Any]:
    """Where one word may be found: any language's title, description, category or maker
    name, the model number, or (one typo allowed past five letters) the spelling field; a year
    also in the listing's year. A word that a language's analysis drops (a stop word: "with",
    "mit", "の") counts as found."""
    clauses: list[dict[str, Any]] = []
    for language in LANGUAGE_ANALYZERS:
        for path in (f"title.{language}", f"description.{language}"):
            clauses.append({"match": {path: {"query": word, "operator": "and", "zero_terms_query": "all"}}})
        clauses.append({"match": {f"category.names.{language}": {"query": word, "operator": "and"}}})
        clauses.append({"match": {f"maker.names.{language}": {"query": word, "operator": "and"}}})
    clauses.append({"match": {"spelling": {"query": word, "fuzziness": "AUTO:5,8", "prefix_length": 1}}})
    clauses.append({"match": {"model_number.ngram": {"query": word}}})
    clauses.append({"match": {"maker.name": {"query": word, "operator": "and"}}})
    clauses.extend({"term": {"year": year}} for year in years_in(word))
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def words_filter(text: str, required: int | None) -> dict[str, Any] | None:
    """Every word of the text found somewhere in the listing (or `required` of them), whatever
    field or language: "komatsu pc200" is Komatsu's PC200s, not every Komatsu. None for a
    single word, which the text query itself requires."""
    words = text_words(text)
    if len(words) < 2:
        return None
    needed = len(words) if required is None else max(1, min(required, len(words)))
    every_word = {"bool": {"should": [word_found(word) for word in words], "minimum_should_match": needed}}
    # or the words are a model number typed with spaces ("PC 200-8"): the whole text, folded
    # as model numbers are, starts the listing's
    model_number = {"match": {"model_number.ngram": {"query": text}}}
    return {"bool": {"should": [every_word, model_number], "minimum_should_match": 1}}


def text_query(text: str, language: str, tuning: Tuning) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    titles: list[dict[str, Any]] = []
    descriptions: list[dict[str, Any]] = []
    # Every language's fields, whatever the script of the text: Latin words (a brand, a serial
    # code, "4WD") stand in Japanese and Chinese texts and CJK words in Latin-language ones, so
    # a listing is found from any buyer language; the buyer's own language only ranks higher.
    for field_language in LANGUAGE_ANALYZERS:
        boost = tuning.language_boost if field_language == language else 1.0
        titles.append(_title_query(text, field_language, boost, tuning))
        descriptions.append(
            {
                "constant_score": {
                    "filter": {
                        "match": {f"description.{field_language}": {"query": text, "operator": "and"}}
                    },
                    "boost": boost * tuning.description_weight,
                }
            }
        )
        # any of the words, and again all of them: "履带起重机" is a crawler crane (履带 and
        # 起重机) more than a mobile one (起重机); one ASCII word is all of them already
        operators = ("or", "and") if len(text.split()) > 1 or not text.isascii() else ("or",)
        for operator in operators:
            clauses.append(
                {
                    "match": {
                        f"category.names.{field_language}": {
                            "query": text,
                            "operator": operator,
                            # (one clause weighs as the two would: they score alike)
                            "boost": boost * tuning.category_boost * (3 - len(operators)),
                        }
                    }
                }
            )
        clauses.append(
            {"match": {f"maker.names.{field_language}": {"query": text, "boost": boost * tuning.maker_boost}}}
        )
    clauses.append({"dis_max": {"queries": titles, "tie_breaker": tuning.other_titles_weight}})
    clauses.append({"dis_max": {"queries": descriptions}})
    # Typo tolerance for Latin scripts, on unstemmed words (a stem is too short to be a
    # fuzzy target). AUTO:5,8: no edit below 5 characters, one up to 7, two from 8, so short
    # words and model numbers must match exactly.
    clauses.append(
        {
            "match": {
                "spelling": {
                    "query": text,
                    "fuzziness": "AUTO:5,8",
                    "prefix_length": 1,
                    "operator": "and",
                    "boost": tuning.fuzzy_boost,
                }
            }
        }
    )
    clauses.append({"match": {"model_number.ngram": {"query": text, "boost": tuning.model_number_boost}}})
    # a whole series ("PC200": the PC200-8 and PC200-10) above longer numbers it starts (PC2000-8)
    clauses.append({"match": {"model_number.series": {"query": text, "boost": tuning.series_boost}}})
    clauses.append({"match": {"maker.name": {"query": text, "boost": tuning.maker_boost}}})
    clauses.extend({"term": {"year": {"value": year, "boost": tuning.year_boost}}} for year in years_in(text))
    if MODEL_NUMBER.match(text.strip()):
        clauses.append(
            {
                "term": {
                    "model_number": {"value": text.strip().lower(), "boost": tuning.model_number_boost * 2}
                }
            }
        )
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def facet_values(params: SearchParams) -> dict[str, tuple[str, ...]]:
    """The values chosen for each facet (none: any), by the facet's name in FACET_FIELDS."""
    return {
        "category": params.categories,
        "maker": params.makers,
        "model": params.models,
        "country": params.countries,
    }


def _facet_filters(params: SearchParams) -> dict[str, dict[str, Any]]:
    return {
        name: {"terms": {FACET_FIELDS[name]: list(values)}}
        for name, values in facet_values(params).items()
        if values
    }


def _base_filters(params: SearchParams) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    ranges = (
        ("year", params.year_min, params.year_max),
        ("hours", params.hours_min, params.hours_max),
        ("price_eur_cents", params.price_min, params.price_max),
    )
    for name, low, high in ranges:
        bounds = {key: value for key, value in (("gte", low), ("lte", high)) if value is not None}
        if bounds:
            filters.append({"range": {name: bounds}})
    if params.machine_ids is not None:
        filters.append(ids_filter(params.machine_ids))
    if params.cohorts is not None:
        filters.append({"terms": {"cohort": list(params.cohorts)}})
    return filters


def spec_filters(specs: tuple[SpecFilter, ...]) -> list[dict[str, Any]]:
    """Spec filters on the documents' effective spec values, by the graph's rule (graph/facets):
    bounds inclusive in the canonical unit, one of the values of an enumeration, and a
    listing without a value for the spec fails it. Spec codes were checked against the spec
    definitions (search/params.py). Only the page applies them: the spec facets are counted
    by the graph, each without its own filter (search/spec_facets.py)."""
    filters: list[dict[str, Any]] = []
    for spec in specs:
        if isinstance(spec, SpecValues):
            filters.append({"terms": {f"spec_values.{spec.code}": list(spec.values)}})
            continue
        bounds = {
            key: value for key, value in (("gte", spec.minimum), ("lte", spec.maximum)) if value is not None
        }
        filters.append({"range": {f"spec_numbers.{spec.code}": bounds}})
    return filters


def ids_filter(ids: tuple[int, ...]) -> dict[str, Any]:
    """Documents with one of `ids`; split into several `terms` clauses past the engine's
    limit on terms per clause."""
    chunks = [list(ids[start : start + MAX_TERMS]) for start in range(0, len(ids), MAX_TERMS)]
    if len(chunks) <= 1:
        return {"terms": {"id": chunks[0] if chunks else []}}
    return {"bool": {"should": [{"terms": {"id": chunk}} for chunk in chunks], "minimum_should_match": 1}}


def _range_filters(params: SearchParams) -> list[dict[str, Any]]:
    """Year, hours and price: applied to every result and every facet."""
    return [f for f in _base_filters(replace(params, models=(), machine_ids=None)) if "range" in f]


def build_candidates(
    params: SearchParams, after: int | None = None, *, every_filter: bool = False, size: int = CANDIDATES_PAGE
) -> dict[str, Any]:
    """One page of the ids of every listing matching the text (and the year, hours and price
    ranges), in id order, for the graph to facet over: the same text query and score floor
    as `build_search`, no documents fetched. The graph applies the other filters itself,
    unless `every_filter`: then the category, maker, model and country filters apply here."""
    text = params.text.strip()
    filters = (
        _base_filters(replace(params, machine_ids=None)) + list(_facet_filters(params).values())
        if every_filter
        else _range_filters(params)
    )
    words = words_filter(text, params.required_words)
    query: dict[str, Any] = {
        "bool": {
            "must": [text_query(text, params.language, params.tuning)],
            "filter": filters + ([words] if words else []),
        }
    }
    body: dict[str, Any] = {
        "query": query,
        "size": size,
        "sort": [{"id": "asc"}],
        "_source": False,
        "stored_fields": "_none_",
        "track_total_hits": False,
    }
    if params.sort == "relevance":
        body["min_score"] = params.tuning.min_score
    if after is not None:
        body["search_after"] = [after]
    return body


def build_cohort_tallies(params: SearchParams, *, every_filter: bool = False) -> dict[str, Any]:
    """The listings `build_candidates` would list, counted per cohort: the graph's spec facets
    need no more (search/selectors.py)."""
    body = build_candidates(params, every_filter=every_filter, size=0)
    for key in ("sort", "stored_fields"):
        body.pop(key)
    body["aggs"] = {"cohorts": {"terms": {"field": "cohort", "size": MAX_TALLY_BUCKETS}}}
    return body


def words_clauses(params: SearchParams) -> list[dict[str, Any]]:
    """What a listing must meet for the search's words, every clause (none without text): the
    text query, which the search scores, then the words' filter."""
    text = params.text.strip()
    if not text:
        return []
    words = words_filter(text, params.required_words)
    return [text_query(text, params.language, params.tuning), *([words] if words else [])]


def listing_filters(params: SearchParams) -> list[dict[str, Any]]:
    """What a listing must meet for the search's filters but the facets' (year, hours, price,
    ids, cohorts, specs): the search filters its query by them, its page by the facets' too."""
    return _base_filters(params) + spec_filters(params.specs)


def facet_filters(params: SearchParams) -> list[dict[str, Any]]:
    """The category, maker, model and country filters, which the search applies after
    counting its facets (its `post_filter`)."""
    return list(_facet_filters(params).values())


def build_search(params: SearchParams) -> dict[str, Any]:
    if params.sort not in SORTS:
        raise ValueError(f"unknown sort {params.sort!r}")
    text = params.text.strip()
    query: dict[str, Any] = {"bool": {"filter": listing_filters(params)}}
    if text:
        scored, *required = words_clauses(params)
        query["bool"]["must"] = [scored]
        query["bool"]["filter"] += required
        query["bool"]["should"] = [
            {
                "term": {
                    "languages": {"value": params.language, "boost": params.tuning.written_in_language_boost}
                }
            }
        ]
    else:
        query["bool"]["must"] = [{"match_all": {}}]
    by_facet = _facet_filters(params)
    body: dict[str, Any] = {
        "query": query,
        "sort": SORTS[params.sort],
        "size": params.limit,
        "track_total_hits": True,
        "_source": [
            "id",
            "title",
            "maker",
            "model_number",
            "model",
            "year",
            "hours",
            "price",
            "price_eur_cents",
            "cover_photo",
            "country",
            "category",
        ],
    }
    if text and params.sort == "relevance":
        body["min_score"] = params.tuning.min_score
    if by_facet:
        body["post_filter"] = {"bool": {"filter": list(by_facet.values())}}
    if params.search_after is not None:
        body["search_after"] = list(params.search_after)
    else:
        body["from"] = params.offset
    if params.facets:
        body["aggs"] = {
            name: {
                "filter": {"bool": {"filter": [f for other, f in by_facet.items() if other != name]}},
                "aggs": {"values": {"terms": {"field": path, "size": 50}}},
            }
            for name, path in FACET_FIELDS.items()
            if name in params.facet_fields
        }
    if text:
        language_fields = [f"title.{params.language}", f"description.{params.language}"]
        if params.language != "en":
            language_fields += ["title.en", "description.en"]
        body["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {name: {"number_of_fragments": 1, "fragment_size": 160} for name in language_fields},
        }
    return body


def build_did_you_mean(text: str) -> dict[str, Any]:
    """A phrase suggestion for `text` ("did you mean"), asked only after a search found few
    hits: most searches find plenty and should not pay for it."""
    return {
        "size": 0,
        "suggest": {
            "text": text.strip(),
            "did_you_mean": {
                "phrase": {
                    "field": "spelling",
                    "size": 1,
                    "gram_size": 1,
                    "max_errors": 3,
                    "confidence": 0.0,
                    "direct_generator": [
                        {"field": "spelling", "suggest_mode": "always", "min_word_length": 3}
                    ],
                }
            },
        },
    }


def build_listing_counts(size: int = 10_000) -> dict[str, Any]:
    """How many listings each category (with its subcategories), maker and model has, and
    each maker in each category."""
    aggs: dict[str, Any] = {
        name: {"terms": {"field": FACET_FIELDS[name], "size": size}}
        for name in ("category", "maker", "model")
    }
    aggs["maker_category"] = {
        "terms": {"field": FACET_FIELDS["maker"], "size": size},
        "aggs": {"category": {"terms": {"field": FACET_FIELDS["category"], "size": size}}},
    }
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


def build_suggest(prefix: str, language: str, size: int = 8) -> dict[str, Any]:
    return {
        "_source": False,
        "suggest": {
            "machines": {
                "prefix": prefix,
                "completion": {
                    "field": "suggest",
                    "size": size,
                    "skip_duplicates": True,
                    "contexts": {"language": [language]},
                    **({"fuzzy": {"fuzziness": "AUTO:4,7"}} if len(prefix) >= 4 else {}),
                },
            }
        },
    }


def encode_cursor(sort_values: list[Any]) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps(sort_values, separators=(",", ":")).encode()).decode().rstrip("=")
    )


def decode_cursor(cursor: str, sort: str = "relevance") -> tuple[Any, ...]:
    """The sort values `encode_cursor` wrote for a page sorted by `sort`: as many as the sort
    has keys, each a number (the engine refuses anything else, and must never be sent it)."""
    padded = cursor + "=" * (-len(cursor) % 4)
    values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if (
        not isinstance(values, list)
        or len(values) != len(SORTS[sort])
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 2**63 for v in values)
    ):
        raise ValueError("bad cursor")
    return tuple(values)
