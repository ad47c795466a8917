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
analysis on both sides (the engine's, not a copy of it), and name the field they were found
in, so a word's token counts only where the query looks for it:

* a listing's keys: every term the engine indexes for it in the fields the words are
  looked for in (its term vectors, one request for a batch of listings), as `t:<field>:<term>`;
  a title's terms also as their first one, two and three characters (`p:<field>:kom`), the
  spelling field's terms as what is left of them with up to two characters deleted after
  their first (`f:...`), its year (`y:2015`), and `*`;
* a word's keys: for each field the query reads it in, and each analyser it reads it with
  (`_analyze`), the tokens a match there needs one of. A clause that needs every token (a
  phrase, `operator: and`) needs its longest, and only that one is kept; one that needs any
  (the default `or`) keeps them all. Tokens that share a position (a synonym) or lie under a
  longer one (a synonym of several words) are alternatives: only a token alone at its place
  is needed, and with none the clause keeps them all. A phrase prefix's last token is a
  title word's start (its first three characters); a typo match keeps the first character
  (`prefix_length` 1) and is within its edits of a listing's term (symmetric deletion); a
  year, its year. A word that an analyser of a title or description drops is found anywhere
  (`zero_terms_query: all`): it has no guard.

Which clause needs every token and which any is read from search/query.py: `text_query` for a
text of one word (the whole text), `word_found` for each word of several. The two differ
(the title's phrase, prefix and partial-word clauses are only the first's; the spelling match
needs every token in the first, any in the second), so each has its table here (WHOLE, WORD).

A text of several words needs each word found, or the whole text as a model number (the
words filter): its guard asks for its rarest word's keys, or the model number's (`text_guard`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from search.analysis import LANGUAGE_ANALYZERS
from search.client import get_client
from search.documents import machine_mapping
from search.indices import MACHINES, alias_name
from search.query import text_words, word_found, years_in

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
    """Every text field the words may be found in (search/query.py: text_query, word_found),
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


@dataclass(frozen=True)
class Token:
    text: str
    position: int
    length: int  # positions it spans (a synonym of several words spans more than one)


@lru_cache(maxsize=50_000)
def _tokens(index: str, analyzer: str, text: str) -> tuple[Token, ...]:
    response = get_client().indices.analyze(index=index, body={"analyzer": analyzer, "text": text})
    return tuple(
        Token(token["token"], token["position"], token.get("positionLength", 1))
        for token in response["tokens"]
        if token["token"]
    )


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


def _needed(tokens: tuple[Token, ...], every: bool) -> list[str]:
    """The tokens a clause needs one of. Needing every token, it needs its longest token that
    stands alone at its place (the engine makes each such token a required term); tokens
    sharing a position (a synonym) or under a longer one (a synonym of several words, a split
    word kept whole too) are alternatives, of which it needs one path. With none alone, or
    needing any token, any of them is kept."""
    if not every or not tokens:
        return [token.text for token in tokens]
    starts = Counter(token.position for token in tokens)
    spanned = {
        at
        for token in tokens
        if token.length > 1
        for at in range(token.position, token.position + token.length)
    }
    alone = [t for t in tokens if t.length == 1 and starts[t.position] == 1 and t.position not in spanned]
    if not alone:
        return [token.text for token in tokens]
    return [max(alone, key=lambda token: len(token.text)).text]


ALL, ANY = True, False
READ, EXACT = 0, -1  # a field's analysers (`guarded_fields`): its search analyser, its language's
# What each clause of the query needs of a field's tokens (all of them, or any), with the
# analyser it reads them with, by field (its language aside): `text_query`'s (a text of one
# word), then `word_found`'s (each word of several).
WHOLE: dict[str, tuple[tuple[int, bool], ...]] = {
    "title": ((EXACT, ALL), (READ, ALL)),  # the phrase; the words, `operator: and`
    "title.ngram": ((READ, ALL),),  # the partial words
    "description": ((READ, ALL),),
    "category.names": ((READ, ANY),),  # `or` (the `and` clause beside it needs more)
    "maker.names": ((READ, ANY),),
    "maker.name": ((READ, ANY),),
    "model_number.ngram": ((READ, ANY),),
    "model_number.series": ((READ, ANY),),
    "spelling": ((READ, ALL),),
}
WORD: dict[str, tuple[tuple[int, bool], ...]] = {
    "title": ((READ, ALL),),
    "description": ((READ, ALL),),
    "category.names": ((READ, ALL),),
    "maker.names": ((READ, ALL),),
    "maker.name": ((READ, ALL),),
    "model_number.ngram": ((READ, ANY),),
    "spelling": ((READ, ANY),),  # the typo match of one word: any of its tokens
}


def _kind(field: str) -> str:
    """A field's name without its language: `title.en.ngram` is a `title.ngram`."""
    return ".".join(part for part in field.split(".") if part not in LANGUAGE_ANALYZERS)


@lru_cache(maxsize=20_000)
def word_keys(index: str, word: str, *, whole: bool = False) -> frozenset[str] | None:
    """The keys a listing must have one of to find `word` in any of its fields: as a text of
    its own (`whole`, search/query.py `text_query`) or as one word of several (`word_found`);
    None when any listing may (an analyser of a title or description drops it)."""
    rules = WHOLE if whole else WORD
    keys: set[str] = set()
    for field, analyzers in guarded_fields().items():
        clauses = rules.get(_kind(field))
        if clauses is None:
            continue  # not a field this query looks in
        readings = [_tokens(index, analyzer, word) for analyzer in analyzers]
        if not all(readings) and field.startswith(DROPPING_FIELDS) and not field.endswith(".ngram"):
            return None
        for analyzer, every in clauses:
            for token in _needed(readings[analyzer], every):
                keys |= (
                    _deletions(token, _edits(len(token))) if field == "spelling" else {f"t:{field}:{token}"}
                )
        if whole and _kind(field) == "title":
            exact = readings[EXACT]  # the phrase prefix: every token but the last, and the last's start
            if len(exact) > 1:
                keys.update(f"t:{field}:{token}" for token in _needed(exact[:-1], ALL))
            elif exact:
                keys.add(f"p:{field}:{exact[-1].text[:PREFIX]}")
    if whole and (normalized := _normalized(index, word.strip())):
        keys.add(f"t:model_number:{normalized}")
    keys.update(f"y:{year}" for year in years_in(word))
    return frozenset(keys)


def _terms(keys: Iterable[str]) -> dict[str, Any]:
    return {"terms": {GUARD_FIELD: sorted(keys)}}


def text_guard(text: str, *, index: str) -> list[dict[str, Any]]:
    """Filters a listing passes, all of them, if the text's words may be found in it (none:
    any may); `index` has the machine index's analysers (the percolator index, or the one
    being built).

    A text of several words needs each word found, or the whole text as a model number typed
    with spaces (search/query.py, `words_filter`): (W1 and W2 ...) or M, so (W or M) for any
    one word W. One is asked, the rarest: the percolator takes the terms of a conjunction's
    clauses all together (any of them makes a listing a candidate), so asking for every word
    would run "Caterpillar 320" against every Caterpillar. The rarest is the word the fewest
    listings of the catalogue have now (`_listings_with`); among equals (an empty catalogue),
    a word with a digit (a model number, a size), then the longest. Which word is asked
    changes how many searches the percolator runs, never which match."""
    text = text.strip()
    if not text:
        return []
    words = text_words(text)
    if len(words) < 2:  # the text query alone, on the whole text
        keys = word_keys(index, text, whole=True)
        return [] if keys is None else [_terms(keys)]
    guarded = [(word, keys) for word in words if (keys := word_keys(index, word)) is not None]
    if not guarded:
        return []
    _, keys = min(
        guarded,
        key=lambda pair: (_listings_with(pair[0]), not any(c.isdigit() for c in pair[0]), -len(pair[0])),
    )
    model_number = {f"t:model_number.ngram:{token.text}" for token in _tokens(index, "ngram_search", text)}
    return [_terms(keys | model_number)]


@lru_cache(maxsize=20_000)
def _listings_with(word: str) -> int:
    """How many listings of the machine index have `word` (as the words filter finds it);
    kept for the process's life: it only ranks words by rarity."""
    response = get_client().count(
        index=alias_name(MACHINES), body={"query": word_found(word)}, ignore_unavailable=True
    )
    return int(response["count"])


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
                keys.add(f"t:{field}:{term}")
                if _kind(field) == "title":
                    keys.update(f"p:{field}:{term[:length]}" for length in range(1, PREFIX + 1))
                if field == "spelling":  # (a word of fewer characters than MIN_FUZZY_TERM allows no typo)
                    keys |= _deletions(term, MAX_EDITS if len(term) >= MIN_FUZZY_TERM else 0)
        if document.get("year") is not None:
            keys.add(f"y:{document['year']}")
        keyed.append(sorted(keys))
    return keyed


def _words_of(document: dict[str, Any]) -> dict[str, Any]:
    """The fields of a machine document the words are looked for in (the term vectors of the
    others are not needed)."""
    return {name: document[name] for name in WORD_FIELDS if name in document}
