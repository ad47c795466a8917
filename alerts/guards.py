"""Guards of the saved searches' words: what lets the percolator skip the text searches a
listing cannot match, without changing which ones it does.

The engine's percolator picks the stored queries worth running against a document by the
terms it can extract from them, and runs the others only to be sure. A search's text query
(search/query.py) has clauses it cannot extract terms from (the typo-tolerant `fuzzy`
match on the spelling field, and a word that some language's analysis drops, which counts
as found anywhere): so every saved search with words, and no other filter, was run against
every listing, at a few milliseconds each (the analysis of its words in five languages, the
automaton of its fuzzy match).

A guard is a necessary condition of the words, as keys: a listing whose keys miss them
cannot match, and the percolator, finding the guard's keys in the stored query's
conjunction, runs the query only against listings that have them. Keys come from the same
analysis on both sides (the engine's, not a copy of it):

* a listing's keys: every term the engine indexes for it in the fields the words are
  looked for in (its term vectors, one request for a batch of listings), each as its first
  one, two and three characters (`p:kom`), the spelling field's terms also as their first
  character and length (`f:k7`), its year (`y:2015`), and `*`;
* a word's keys: every token of the word in each analyser those fields are read or written
  with (`_analyze`), as its first three characters: an exact, stemmed or synonym match is
  the same term, a prefix match (a partial word, the last word's completion) starts with
  them; a typo match keeps the first character (`prefix_length` 1) and a length within its
  edits; a year, its year. A word that an analyser of a title or description drops is
  found anywhere (`zero_terms_query: all`): it has no guard.

A text of several words needs each word found, or the whole text as a model number (the
words filter): its guard asks for each word's keys, or the model number's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from search.analysis import LANGUAGE_ANALYZERS
from search.client import get_client
from search.documents import machine_mapping
from search.query import text_words, years_in

SAVED_SEARCHES = (
    "saved_searches"  # the percolator index (alerts/percolator.py), whose analysers are the machines'
)
GUARD_FIELD = "saved_search_keys"
EVERY_LISTING = "*"
FUZZY_EDITS = ((8, 2), (5, 1), (0, 0))  # AUTO:5,8: from 8 characters two edits, from 5 one
MAX_EDITS = 2
MIN_FUZZY_TERM = 3  # a term two edits from a word of five or more characters
PREFIX = 3  # characters of a phrase prefix's last token a listing's title word starts with


@cache
def guarded_fields() -> dict[str, tuple[str, ...]]:
    """Every text field the words may be found in (search/query.py: text_query, _word_found),
    with the analysers a query reads it with, from the mapping: its search analyser, and for a
    language's title also the language's analyser (its phrase clauses ask for it)."""
    fields: dict[str, tuple[str, ...]] = {}

    def add(path: str, field: dict[str, Any], *, title: bool) -> None:
        analyzer = field.get("analyzer", "standard")
        read = field.get("search_analyzer", analyzer)
        exact = LANGUAGE_ANALYZERS.get(path.rsplit(".", 1)[-1], read)  # (_title_query's `exact`)
        fields[path] = tuple(dict.fromkeys([read, exact] if title else [read]))

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, field in properties.items():
            path = f"{prefix}{name}"
            if path.split(".")[0] not in WORD_FIELDS:
                continue
            if "properties" in field:
                walk(field["properties"], f"{path}.")
                continue
            if field.get("type") == "text":
                add(path, field, title=prefix == "title.")
            for sub, subfield in field.get("fields", {}).items():
                if subfield.get("type") == "text":
                    add(f"{path}.{sub}", subfield, title=False)

    walk(machine_mapping()["properties"], "")
    return fields


WORD_FIELDS = frozenset({"title", "description", "category", "maker", "spelling", "model_number"})
# (the model number as a keyword: its term clause, read with its normalizer)
KEYWORD_FIELDS = ("model_number",)
DROPPING_FIELDS = ("title.", "description.")  # a word they drop is found anywhere


def _analyzers() -> list[str]:
    return sorted({analyzer for analyzers in guarded_fields().values() for analyzer in analyzers})


@lru_cache(maxsize=50_000)
def _tokens(index: str, analyzer: str, text: str) -> tuple[str, ...]:
    response = get_client().indices.analyze(index=index, body={"analyzer": analyzer, "text": text})
    return tuple(token["token"] for token in response["tokens"])


@lru_cache(maxsize=10_000)
def _normalized(index: str, text: str) -> str:
    response = get_client().indices.analyze(
        index=index, body={"normalizer": "lowercase_keyword", "text": text}
    )
    return "".join(token["token"] for token in response["tokens"])


def _edits(length: int) -> int:
    return next(edits for shortest, edits in FUZZY_EDITS if length >= shortest)


def _deletions(term: str, edits: int) -> set[str]:
    """`term` with up to `edits` characters deleted after its first (kept by `prefix_length`
    1): two words within that many edits of each other share one (symmetric deletion; a
    transposition, one edit to the engine, is one deletion on each side)."""
    found, frontier = {term}, {term}
    for _ in range(edits):
        frontier = {word[:at] + word[at + 1 :] for word in frontier for at in range(1, len(word))}
        found |= frontier
    return {f"f:{word}" for word in found}


@lru_cache(maxsize=20_000)
def word_keys(index: str, word: str, *, prefix: bool = False) -> frozenset[str] | None:
    """The keys a listing must have one of to find `word` in any of its fields (with
    `prefix`, the last token of a title may also be a word's start, as a phrase prefix
    reads it); None when any listing may (an analyser of a title or description drops it)."""
    keys: set[str] = set()
    for field, analyzers in guarded_fields().items():
        for analyzer in analyzers:
            tokens = [token for token in _tokens(index, analyzer, word) if token]
            if not tokens and field.startswith(DROPPING_FIELDS) and not field.endswith(".ngram"):
                return None
            keys.update(f"t:{token}" for token in tokens)
            if prefix and tokens and field.count(".") == 1 and field.startswith("title."):
                keys.add(f"p:{tokens[-1][:PREFIX]}")
            if field == "spelling":
                for token in tokens:
                    keys |= _deletions(token, _edits(len(token)))
    normalized = _normalized(index, word.strip())
    if normalized:
        keys.add(f"t:{normalized}")
    keys.update(f"y:{year}" for year in years_in(word))
    return frozenset(keys)


def _terms(keys: Iterable[str]) -> dict[str, Any]:
    return {"terms": {GUARD_FIELD: sorted(keys)}}


def text_guard(text: str, *, index: str) -> dict[str, Any] | None:
    """A filter a listing passes if the text's words may be found in it (None: any may);
    `index` has the machine index's analysers (the percolator index, or the one being built)."""
    text = text.strip()
    if not text:
        return None
    words = text_words(text)
    if len(words) < 2:  # the text query alone, on the whole text
        keys = word_keys(index, text, prefix=True)
        return None if keys is None else _terms(keys)
    every = [_terms(keys) for word in words if (keys := word_keys(index, word)) is not None]
    if not every:
        return None
    # or the words are a model number typed with spaces (search/query.py, words_filter)
    model_number = {f"t:{token}" for token in _tokens(index, "ngram_search", text) if token}
    return {
        "bool": {"should": [{"bool": {"filter": every}}, _terms(model_number)], "minimum_should_match": 1}
    }


def listing_keys(index: str, documents: list[dict[str, Any]]) -> list[list[str]]:
    """Each document's keys, from the engine's term vectors of it (one request)."""
    if not documents:
        return []
    fields = [*guarded_fields(), *KEYWORD_FIELDS]
    response = get_client().mtermvectors(
        index=index,
        body={
            "docs": [
                {"doc": _words_of(document), "fields": fields, "positions": False, "offsets": False,
                 "term_statistics": False, "field_statistics": False}
                for document in documents
            ]
        },
    )  # fmt: skip
    keyed = []
    for document, vectors in zip(documents, response["docs"], strict=True):
        keys = {EVERY_LISTING}
        for field, vector in vectors.get("term_vectors", {}).items():
            for term in vector["terms"]:
                keys.add(f"t:{term}")
                if field.count(".") == 1 and field.startswith("title."):
                    keys.update(f"p:{term[:length]}" for length in range(1, PREFIX + 1))
                if field == "spelling" and len(term) >= MIN_FUZZY_TERM:
                    keys |= _deletions(term, MAX_EDITS)
        if document.get("year") is not None:
            keys.add(f"y:{document['year']}")
        keyed.append(sorted(keys))
    return keyed


def _words_of(document: dict[str, Any]) -> dict[str, Any]:
    """The fields of a machine document the words are looked for in (the term vectors of the
    others are not needed)."""
    return {name: document[name] for name in WORD_FIELDS if name in document}
