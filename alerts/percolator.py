"""The saved searches as the search engine's percolator queries: "which saved searches would
find this listing" is one request, however many searches are kept.

The index (alias `<prefix>-saved_searches`, a versioned index behind it as for the machines,
search/indices.py) has the machine index's own analysis and mappings, so a query reads the
fields of a percolated listing exactly as it reads them in the machine index, plus one
`percolator` field holding each saved search's query and its id, owner and pause.

The query stored is `/api/v1/search/`'s own (`search.query`): what its `query` and its
`post_filter` (the category, maker, model and country filters, which the API applies after its
facets) ask of a listing, as filters, kept in two parts whose conjunction is the whole:

* **its words** (`words_clauses`: the text query and the words' filter), one percolator
  document per distinct words query (`words:<digest>`), however many saved searches share it.
  Buyers' words repeat (a maker, a model, a category), and a words query is the costly part to
  confirm against a listing (milliseconds: its analysis in five languages, its typo-tolerant
  automaton), so each is confirmed once per listing, not once per search that has it;
* **its filters** (`listing_filters` and `facet_filters`: ranges, specs, category, maker,
  model, country), one document per saved search, naming its words' digest. These the
  percolator picks by their terms and confirms in microseconds.

A listing is percolated against the words first, then against the searches whose words it
matched or that have none (`percolate`): a search finds it when both parts do. A words
document that no search names any longer (its last one deleted or reworded) is left behind
by the projection, which cannot know that no other search is naming it at that moment; it
changes no answer, costs one confirmation where it matches, and `saved_searches_reindex`
sweeps it.

Two things of a search's page are not a listing's match:

* **Relaxation.** When every word of a search together finds nothing, the search page asks
  for fewer (search/selectors.py, `relaxed_steps`): a help for someone looking now. A saved
  search does not relax: it is told of listings that match all its words, never of "something
  close", and one listing's arrival does not change what the others find.
* **The relevance order's score floor** (`Tuning.min_score`, only with text and
  `sort=relevance`). A score depends on the whole catalogue's term statistics: the same
  listing scores differently as others come and go, and the percolator scores each listing
  alone, in a one-document index, so a floor there would be another floor. The floor trims the
  tail of a ranking; the listing still matches the search's words and filters, and the same
  search in any other order (newest first, price...) shows it. So the percolator decides by the
  query's clauses alone, and "would this listing appear in my search" is answered as the
  search answers it without the floor (tests/alerts/test_saved_searches_agreement.py holds
  both to it).

Spec filters are the engine's (`spec_numbers.<code>` in canonical units, `spec_values.<code>`)
by the graph's rule: the percolated document carries the listing's effective facetable spec
values computed by the graph's own rules (`graph.rows.facetable_specs`, as search/sync.py
writes them). The percolator, not the graph, decides them because the question is "would
`/api/v1/search/` find it", which the engine answers spec filters included; asking the graph
would take one Cypher query per saved search and listing. Their agreement with the graph's
spec filter (`graph.selectors.facet_search`) is tested on the graph tests' spec catalogue.
A words query has one more filter than the search's: its guard, a condition every listing its
words match meets, which lets the percolator skip the listings they cannot (alerts/guards.py
says how, and why it changes no answer; the agreement tests hold it to that).
The dynamic spec fields are mapped explicitly before a query naming them is stored (a
percolator query may only name mapped fields).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from elasticsearch import TransportError, helpers

from alerts.guards import GUARD_FIELD, SAVED_SEARCHES, listing_keys, text_guard
from core.errors import DomainError
from graph.facets import SpecValues
from search.client import get_client, index_name
from search.indices import MACHINES, definition_digest, index_body
from search.query import (
    FACET_FIELDS,
    SearchParams,
    facet_filters,
    facet_values,
    listing_filters,
    words_clauses,
)

logger = logging.getLogger(__name__)

QUERY_FIELD = "saved_search_query"
KIND_FIELD = "saved_search_kind"  # WORDS or SEARCH
WORDS_FIELD = "saved_search_words"  # a words document's digest; a search's words' digest
WORDS, SEARCH = "words", "search"
CHOSEN = "saved_search_chosen"  # a search's facet filters' values, `<facet>:<value>` (see `chosen`)
PERCOLATE_PAGE = 10_000  # words matched a request; more are paged with search_after
# searches one listing's request counts; more are paged after the last id (a page runs the
# whole request again: the page holds what a listing matches at most, as generated here)
MATCH_PAGE = 10_000
MULTI_SEARCH = 10  # listings' requests in one multi-search: at most 100,000 ids an answer
MATCHES = "matches"


def alias() -> str:
    return index_name(SAVED_SEARCHES)


def percolator_body() -> dict[str, Any]:
    body = index_body(MACHINES)
    body["mappings"] = copy.deepcopy(body["mappings"])
    body["mappings"].pop("_meta")
    body["mappings"]["properties"].update(
        {
            QUERY_FIELD: {"type": "percolator"},
            "saved_search_id": {"type": "long"},
            "saved_search_owner": {"type": "long"},
            "saved_search_paused": {"type": "boolean"},
            GUARD_FIELD: {"type": "keyword"},  # a percolated listing's keys (alerts/guards.py)
            KIND_FIELD: {"type": "keyword"},
            WORDS_FIELD: {"type": "keyword"},
            CHOSEN: {"type": "keyword"},
        }
    )
    body["settings"]["number_of_shards"] = settings.ALERTS_PERCOLATOR_SHARDS
    body["mappings"]["_meta"] = {"definition": definition_digest(body)}
    return body


def words_query(params: SearchParams, *, index: str) -> dict[str, Any] | None:
    """What `/api/v1/search/` asks of a listing for the words of `params` (None without
    words), with their guard (alerts/guards.py), which every listing they match passes and
    which lets the percolator skip those they cannot match."""
    clauses = words_clauses(params)
    if not clauses:
        return None
    return {"bool": {"filter": [*text_guard(params.text, index=index), *clauses]}}


def filters_query(params: SearchParams) -> dict[str, Any]:
    """What `/api/v1/search/` asks of a listing for the filters of `params`, its facets'
    included (every listing when there are none)."""
    clauses = listing_filters(params) + facet_filters(params)
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def chosen(params: SearchParams) -> list[str]:
    """The values of the search's facet filters (its category, maker, model, country), one
    facet unchosen written `<facet>:*`: what the percolate request asks of a search before its
    query is run (`searches_body`), as the query asks it of the listing."""
    return [
        f"{facet}:{value}" for facet, values in facet_values(params).items() for value in (values or ["*"])
    ]


def chosen_of(document: dict[str, Any]) -> dict[str, list[str]]:
    """The document's value of each facet, as `chosen` writes it, and `<facet>:*` (a search
    that does not choose one)."""
    values: dict[str, list[str]] = {}
    for facet, path in FACET_FIELDS.items():
        value: Any = document
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        found = value if isinstance(value, list) else [value]
        values[facet] = sorted({f"{facet}:*", *(f"{facet}:{v}" for v in found if v is not None)})
    return values


def words_digest(query: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _create_index() -> str:
    concrete = f"{alias()}-v{time.time_ns()}"
    get_client().indices.create(index=concrete, body=percolator_body(), request_timeout=60)
    return concrete


def ensure_percolator_index() -> str:
    """The `prepare` step: the index and its alias, created if missing (and filled from
    PostgreSQL, which may hold saved searches already), rebuilt if its definition changed."""
    client = get_client()
    if not client.indices.exists_alias(name=alias()):
        count = rebuild_percolator_index()
        return f"{alias()} created ({count} saved searches)"
    mappings = client.indices.get_mapping(index=alias())
    built = {index["mappings"].get("_meta", {}).get("definition") for index in mappings.values()}
    if built != {percolator_body()["mappings"]["_meta"]["definition"]}:
        count = rebuild_percolator_index()
        return f"{alias()} rebuilt for a new definition ({count} saved searches)"
    return f"{alias()} in place"


def _map_specs(index: str, params: SearchParams, mapped: set[str]) -> None:
    """Map the spec fields the query names, as the machine mapping's dynamic templates type them."""
    numbers: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for spec in params.specs:
        if spec.code in mapped:
            continue
        if isinstance(spec, SpecValues):
            values[spec.code] = {"type": "keyword"}
        else:
            numbers[spec.code] = {"type": "double"}
    properties: dict[str, Any] = {}
    if numbers:
        properties["spec_numbers"] = {"properties": numbers}
    if values:
        properties["spec_values"] = {"properties": values}
    if properties:
        get_client().indices.put_mapping(index=index, body={"properties": properties})
        mapped.update(numbers, values)


def percolator_actions(
    saved_searches: Iterable[Any], index: str, mapped: set[str], written: set[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The percolator documents of these saved searches: each one's filters, and its words
    unless `written` (the digests already written into `index` by this run) has them."""
    from alerts.saved_searches import search_params

    written = set() if written is None else written
    for saved in saved_searches:
        try:
            params = search_params(saved.query)
        except DomainError as error:  # a spec or currency since removed: it finds nothing now
            logger.warning("saved search %s no longer parses: %s", saved.pk, error.fields)
            yield {"_op_type": "delete", "_index": index, "_id": saved.pk}
            continue
        _map_specs(index, params, mapped)
        words = words_query(params, index=index)
        digest = words_digest(words) if words else None
        if words and digest and digest not in written:
            written.add(digest)
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": f"{WORDS}:{digest}",
                "_source": {QUERY_FIELD: words, KIND_FIELD: WORDS, WORDS_FIELD: digest},
            }
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": saved.pk,
            "_source": {
                QUERY_FIELD: filters_query(params),
                KIND_FIELD: SEARCH,
                WORDS_FIELD: digest,
                CHOSEN: chosen(params),
                "saved_search_id": saved.pk,
                "saved_search_owner": saved.user_id,
                "saved_search_paused": saved.paused,
            },
        }


def _bulk(actions: Iterable[dict[str, Any]], *, refresh: bool = False) -> None:
    _, errors = helpers.bulk(
        get_client(), actions, raise_on_error=False, stats_only=False, refresh=refresh, request_timeout=60
    )
    failures = [e for e in errors if (e.get("delete") or {}).get("status") != 404]  # type: ignore[union-attr]
    if failures:
        raise RuntimeError(f"{len(failures)} saved searches failed to index: {failures[:3]}")


def sync_saved_searches(saved_search_ids: Iterable[int]) -> None:
    """Bring the percolator documents of these saved searches in line with their rows: index
    those that exist, delete the others. Idempotent; refreshed, so a listing percolated after
    it returns is matched against them."""
    from alerts.models import SavedSearch

    wanted = set(saved_search_ids)
    rows = list(SavedSearch.objects.filter(pk__in=wanted))
    actions = list(percolator_actions(rows, alias(), set()))
    actions += [{"_op_type": "delete", "_index": alias(), "_id": pk} for pk in wanted - {r.pk for r in rows}]
    _bulk(actions, refresh=True)


def rebuild_percolator_index(
    *, batch_size: int = 1000, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """A new index filled from PostgreSQL, then the alias swapped to it and the old ones
    deleted; returns how many saved searches it holds."""
    from alerts.models import SavedSearch

    client = get_client()
    concrete = _create_index()
    total = SavedSearch.objects.count()
    done = 0
    mapped: set[str] = set()
    written: set[str] = set()
    last = 0
    while True:
        batch = list(SavedSearch.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            break
        _bulk(percolator_actions(batch, concrete, mapped, written))
        last = batch[-1].pk
        done += len(batch)
        if on_progress:
            on_progress(done, total)
    client.indices.refresh(index=concrete)
    old = list(client.indices.get_alias(name=alias())) if client.indices.exists_alias(name=alias()) else []
    swaps: list[dict[str, Any]] = [{"add": {"index": concrete, "alias": alias()}}]
    swaps += [{"remove_index": {"index": index}} for index in old]
    client.indices.update_aliases(body={"actions": swaps}, request_timeout=60)
    return done


def percolate(documents: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """The unpaused saved searches that find each of `documents` (machine documents,
    `search.documents.build_document`), as (saved search id, index in `documents`) pairs, in
    that order.
    Their guard keys (one request); the words they match (one request for all of them, each
    words query parsed once for the lot, paged past PERCOLATE_PAGE matches); then, for each
    document, the searches whose filters it matches among those with these words or none
    (one multi-search for MULTI_SEARCH documents, paged past MATCH_PAGE searches).

    The searches' matches are counted, not fetched: a hit's fetch runs its query against
    the documents again to name their slots (the percolator's matched-slot fetch phase), which
    for the hundreds or thousands of searches a listing matches costs as much as finding
    them. One request per document needs no slot, and an aggregation of the ids no fetch."""
    if not documents:
        return []
    found: dict[int, list[str]] = {}  # slot: the words digests its document matches
    for hit in _percolated(words_body(keyed_documents(documents))):
        for slot in _slots(hit):
            found.setdefault(slot, []).append(hit["fields"][WORDS_FIELD][0])
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(documents), MULTI_SEARCH):
        bodies = {
            slot: searches_body(documents[slot], sorted(found.get(slot, ())))
            for slot in range(start, min(start + MULTI_SEARCH, len(documents)))
        }
        pairs.extend((search_id, slot) for slot, search_id in _matching_searches(bodies))
    # in saved search order, as the notifications are then written: a burst's millions go into
    # their indexes (user, dedupe key) in order rather than scattered a listing at a time
    return sorted(pairs)


def _slots(hit: dict[str, Any]) -> list[int]:
    return [int(slot) for slot in hit.get("fields", {}).get("_percolator_document_slot", [0])]


def _percolated(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        response = get_client().search(
            index=alias(),
            body=body,
            request_timeout=300,  # a burst of listings, in the worker
            filter_path="hits.hits._id,hits.hits.fields,hits.hits.sort",
        )
        hits = response.get("hits", {}).get("hits", [])
        yield from hits
        if len(hits) < PERCOLATE_PAGE:
            return
        body = {**body, "search_after": hits[-1]["sort"]}


def _matching_searches(bodies: dict[int, dict[str, Any]]) -> Iterator[tuple[int, int]]:
    """(slot, saved search id) for each slot's request's matches: one multi-search a page,
    the slots with a full page asked again after their last id."""
    while bodies:
        lines: list[dict[str, Any]] = []
        for body in bodies.values():
            lines += [{"index": alias()}, body]
        responses = get_client().msearch(
            body=lines,
            request_timeout=300,
            filter_path="responses.aggregations,responses.error,responses.status",
        )["responses"]
        following: dict[int, dict[str, Any]] = {}
        for (slot, body), response in zip(bodies.items(), responses, strict=True):
            if "error" in response:
                raise TransportError(response.get("status", 500), "percolation failed", response["error"])
            matches = response["aggregations"][MATCHES]
            for bucket in matches["buckets"]:
                yield slot, int(bucket["key"]["id"])
            if len(matches["buckets"]) == MATCH_PAGE:
                composite = {**body["aggs"][MATCHES]["composite"], "after": matches["after_key"]}
                following[slot] = {**body, "aggs": {MATCHES: {"composite": composite}}}
        bodies = following


def keyed_documents(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents with their guard keys (alerts/guards.py)."""
    return [
        {**document, GUARD_FIELD: keys}
        for document, keys in zip(documents, listing_keys(alias(), documents), strict=True)
    ]


def words_body(keyed: list[dict[str, Any]]) -> dict[str, Any]:
    """The documents (with their guard keys) against the saved searches' words, fetched with
    the slots of the documents each matches (sorted, to page past PERCOLATE_PAGE)."""
    return {
        "query": _percolate_query(keyed, [{"term": {KIND_FIELD: WORDS}}]),
        "_source": False,
        "docvalue_fields": [WORDS_FIELD],
        "size": PERCOLATE_PAGE,
        "sort": [{WORDS_FIELD: "asc"}],
        "track_total_hits": False,
    }


def searches_body(document: dict[str, Any], digests: list[str]) -> dict[str, Any]:
    """The document against the unpaused saved searches' filters: those without words, and
    those whose words it matched (`digests`); of these, only the searches whose every facet
    filter it passes, or that have none (`chosen`), are run: the engine would otherwise run
    every search a listing's year or price range takes in. Their ids are counted, in id
    order (a composite aggregation, paged past MATCH_PAGE)."""
    with_words = {"terms": {WORDS_FIELD: digests}}
    without = {"bool": {"must_not": [{"exists": {"field": WORDS_FIELD}}]}}
    facets = [{"terms": {CHOSEN: values}} for values in chosen_of(document).values()]
    query = _percolate_query(
        [document],
        [
            {"term": {KIND_FIELD: SEARCH}},
            {"term": {"saved_search_paused": False}},
            {"bool": {"should": [without, with_words] if digests else [without], "minimum_should_match": 1}},
            *facets,
        ],
    )
    ids = {"composite": {"size": MATCH_PAGE, "sources": [{"id": {"terms": {"field": "saved_search_id"}}}]}}
    return {"query": query, "size": 0, "track_total_hits": False, "aggs": {MATCHES: ids}}


def _percolate_query(documents: list[dict[str, Any]], filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": [*filters, {"percolate": {"field": QUERY_FIELD, "documents": documents}}]}}
