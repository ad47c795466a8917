"""The public search: one page of listings with its facets, answered by the search engine
alone (search/engine.py talks to it, search/query.py builds its requests, search/shaping.py
shapes the answer). The spec facets are not part of it: search/spec_facets.py serves them
beside the results, so a page of results never waits for the graph to count
(docs/ARCHITECTURE.md, "Results first").

* Text, the year, hours and price ranges, and the spec filters narrow the matches; the
  category, maker, model and country filters narrow them too but each facet counts without
  its own (disjunctive facets, `post_filter`).
* Spec filters apply to each document's effective values of the facetable specs, which the
  search projection writes beside the cohort (graph.rows.facetable_specs), by the rule the
  graph applies (graph/facets): the oracle tests hold both to it. So Neo4j down takes the
  spec facets away, never the results.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from events import common_queries
from search.engine import engine_call
from search.query import (
    SearchParams,
    build_did_you_mean,
    build_listing_counts,
    build_search,
    build_suggest,
    encode_cursor,
    text_words,
)
from search.shaping import Labels, engine_facets, facet_labels, shape_hit

FEW_HITS = 3  # fewer results than this, and a "did you mean" is offered


@dataclass(frozen=True)
class Relaxed:
    """Every word of the text together found nothing; the results match `required` of them."""

    required: int
    words: int


@dataclass(frozen=True)
class SearchResult:
    count: int
    results: list[dict[str, Any]]
    facets: dict[str, Any]  # name -> [{key, label, count}]; "specs": see the module docstring
    suggestion: str | None
    next_cursor: str | None
    took_ms: int  # the engine's own time for the page
    relaxed: Relaxed | None = None  # fewer words required than the text has


def relaxed_steps(words: int) -> list[int]:
    """How many words a listing must match when every one of the text's `words` together
    found nothing, tried in order until one finds something: all but one, then any one."""
    return sorted({max(1, words - 1), 1}, reverse=True) if words > 1 else []


def faceted_search(params: SearchParams) -> SearchResult:
    """One page of a search, its count and its facets. Every word of the text must be found
    in a listing (in any field and language); when that finds nothing, fewer are required
    (`relaxed_steps`), and the result says so. The count and the facets always describe the
    results shown."""
    result = search_machines(params)
    words = len(text_words(params.text))
    for required in relaxed_steps(words):
        if result.count:
            break
        relaxed = search_machines(replace(params, required_words=required))
        result = replace(
            relaxed, relaxed=Relaxed(required, words), suggestion=relaxed.suggestion or result.suggestion
        )
    return result


def search_machines(params: SearchParams, labels: Labels | None = None) -> SearchResult:
    """The engine's page of results with its own facets, labelled with `labels` (read from
    the database when not given: pass them when calling from another thread)."""
    response = engine_call("search", body=build_search(params))
    hits = response["hits"]["hits"]
    if labels is None:
        labels = facet_labels(params.language) if params.facets else {}
    facets = engine_facets(response.get("aggregations", {}), labels)
    total = response["hits"]["total"]["value"]
    suggestion = _did_you_mean(params.text) if total < FEW_HITS and params.text.strip() else None
    next_cursor = (
        encode_cursor(hits[-1]["sort"]) if len(hits) == params.limit and "sort" in hits[-1] else None
    )
    results = [shape_hit(hit, params.language) for hit in hits]
    return SearchResult(total, results, facets, suggestion, next_cursor, response["took"])


def _did_you_mean(text: str) -> str | None:
    response = engine_call("search", body=build_did_you_mean(text))
    options = response["suggest"]["did_you_mean"][0]["options"]
    return options[0]["text"] if options and options[0]["text"] != text.strip().lower() else None


@dataclass(frozen=True)
class Completion:
    """A completion of what a buyer is typing: a category, maker or model name in their
    language with how many listings it finds (and a model's category), a whole query (of a
    maker and a category, or one that buyers in that language search often), or a listing's
    title."""

    text: str
    kind: str  # "category", "maker", "model", "query" or "listing"
    key: str | None = None  # the category, maker or model slug: a filter value
    count: int | None = None
    category: str | None = None  # a model's or a query's category, in the buyer's language


SUGGESTIONS = 8
QUERIES = 3  # at most, of the maker-and-category queries
TITLES = 2  # places kept for listings' titles, when there are some
COUNTS_TTL_SECONDS = 60.0
_counts: dict[str, tuple[float, dict[str, dict[str, int]]]] = {}


def listing_counts() -> dict[str, dict[str, int]]:
    """Listings per category, maker and model slug, kept for a minute by each process (one
    aggregation instead of one per keystroke; completions are ranked by them)."""
    cached = _counts.get("all")
    if cached is not None and time.monotonic() - cached[0] < COUNTS_TTL_SECONDS:
        return cached[1]
    aggregations = engine_call("search", body=build_listing_counts())["aggregations"]
    pairs = aggregations.pop("maker_category")["buckets"]
    counts = {
        name: {str(bucket["key"]): int(bucket["doc_count"]) for bucket in aggregation["buckets"]}
        for name, aggregation in aggregations.items()
    }
    # a maker's listings per category, keyed "maker category": what a query of both would find
    counts["maker_category"] = {
        f"{maker['key']} {category['key']}": int(category["doc_count"])
        for maker in pairs
        for category in maker["category"]["buckets"]
    }
    _counts["all"] = (time.monotonic(), counts)
    return counts


def clear_listing_counts() -> None:
    _counts.clear()
    _searched_cache.clear()


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class _Name:
    """A category, maker or model name as a prefix is matched against it: folded, and split
    into words ("pc20" completes "Komatsu PC200-8")."""

    kind: str
    key: str
    label: str
    folded: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Vocabulary:
    names: list[_Name]
    folded: dict[tuple[str, str], str]  # (kind, key) -> the folded name
    makers: frozenset[str]  # the makers' folded names


_vocabularies: dict[str, tuple[Labels, _Vocabulary]] = {}


def _vocabulary(language: str, labels: Labels) -> _Vocabulary:
    """The names to complete in `language`, folded once per set of labels (facet_labels keeps
    a set a few minutes) rather than on every keystroke."""
    cached = _vocabularies.get(language)
    if cached is not None and cached[0] is labels:
        return cached[1]
    names = [
        _Name(kind, key, label, folded, tuple(folded.split()))
        for kind in ("category", "maker", "model")
        for key, label in labels[kind].items()
        for folded in [_folded(label)]
    ]
    vocabulary = _Vocabulary(
        names,
        {(name.kind, name.key): name.folded for name in names},
        frozenset(name.folded for name in names if name.kind == "maker"),
    )
    _vocabularies[language] = (labels, vocabulary)
    return vocabulary


def _queries(
    wanted: str, labels: Labels, vocabulary: _Vocabulary, per_pair: dict[str, int]
) -> list[Completion]:
    """Whole queries a buyer may be typing, "<maker> <category>" in their language ("komatsu ex"
    → "Komatsu Excavators", "コマツ 油" → "コマツ 油圧ショベル"), with the maker's listings in
    that category: what searching those words finds."""
    found = []
    for pair, count in per_pair.items():
        maker, category = pair.split(" ", 1)
        folded_maker = vocabulary.folded.get(("maker", maker))
        folded_category = vocabulary.folded.get(("category", category))
        if folded_maker is None or folded_category is None:
            continue
        if f"{folded_maker} {folded_category}".startswith(wanted):
            text = f"{labels['maker'][maker]} {labels['category'][category]}"
            found.append(Completion(text, "query", None, count, labels["category"][category]))
    return found


@dataclass(frozen=True)
class _Searched:
    folded: str
    words: tuple[str, ...]
    completion: Completion


_searched_cache: dict[str, tuple[float, list[_Searched]]] = {}
SEARCHED_TTL_SECONDS = 60.0


def _searched_queries(language: str, labels: Labels, vocabulary: _Vocabulary) -> list[_Searched]:
    """The common queries of `language` (events/common_queries.py), each with the category it
    names (the longest category name in it, else the longest model name's category), read from Redis once a minute per process."""
    cached = _searched_cache.get(language)
    if cached is not None and time.monotonic() - cached[0] < SEARCHED_TTL_SECONDS:
        return cached[1]
    categories = [(name.folded, name.key) for name in vocabulary.names if name.kind == "category"]
    models = [(name.folded, name.key) for name in vocabulary.names if name.kind == "model"]
    found = []
    for query in common_queries.read(language):
        folded = _folded(query.text)
        category = _longest_in(folded, categories)
        if category is None:
            category = labels["model_category"].get(_longest_in(folded, models) or "")
        label = labels["category"].get(category or "")
        found.append(
            _Searched(
                folded, tuple(folded.split()), Completion(query.text, "query", None, query.found, label)
            )
        )
    _searched_cache[language] = (time.monotonic(), found)
    return found


def _longest_in(folded: str, names: list[tuple[str, str]]) -> str | None:
    """The key of the longest name found in `folded` ("crawler excavators" over "excavators")."""
    within = [(len(name), key) for name, key in names if name in folded]
    return max(within)[1] if within else None


def _searched(
    wanted: str, language: str, labels: Labels, vocabulary: _Vocabulary, offered: set[str]
) -> list[Completion]:
    """Common queries that `wanted` starts (or starts one of their words), not offered already."""
    if len(wanted) < 2:
        return []
    return [
        searched.completion
        for searched in _searched_queries(language, labels, vocabulary)
        if searched.folded not in offered
        and (searched.folded.startswith(wanted) or any(word.startswith(wanted) for word in searched.words))
    ]


def suggest_machines(prefix: str, language: str) -> tuple[list[Completion], int]:
    """Completions for `prefix`: the categories, makers and models whose name in `language`
    it starts, and once it names a maker in full or has a space the maker-and-category queries
    it starts, and the common whole queries buyers search, most listings first; then listings' titles from the engine's completion field; and the
    engine's own time in ms."""
    wanted = _folded(prefix)
    labels, counts = facet_labels(language), listing_counts()
    vocabulary = _vocabulary(language, labels)
    named = [
        Completion(
            name.label,
            name.kind,
            name.key,
            counts[name.kind][name.key],
            labels["category"].get(labels["model_category"].get(name.key, ""))
            if name.kind == "model"
            else None,
        )
        for name in vocabulary.names
        if counts[name.kind].get(name.key)
        and (name.folded.startswith(wanted) or any(word.startswith(wanted) for word in name.words))
    ]
    # a maker named in full, or words after words: whole queries of a maker and a category
    queries: list[Completion] = []
    if " " in wanted or wanted in vocabulary.makers:
        queries = _queries(wanted, labels, vocabulary, counts["maker_category"])
    # and the whole queries buyers in this language search most
    queries += _searched(wanted, language, labels, vocabulary, {_folded(c.text) for c in [*named, *queries]})
    named += sorted(queries, key=lambda c: -(c.count or 0))[:QUERIES]
    named.sort(key=lambda completion: (-(completion.count or 0), completion.text))
    completions = named[: SUGGESTIONS - TITLES]
    response = engine_call("search", body=build_suggest(prefix, language))
    seen = {_folded(completion.text) for completion in completions}
    for option in response["suggest"]["machines"][0]["options"]:
        if len(completions) >= SUGGESTIONS:
            break
        if _folded(option["text"]) not in seen:
            seen.add(_folded(option["text"]))
            completions.append(Completion(option["text"], "listing"))
    # fewer titles than the places kept for them: the next names instead
    completions += named[SUGGESTIONS - TITLES :][: SUGGESTIONS - len(completions)]
    return completions, response["took"]
