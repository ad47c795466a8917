"""Graph benchmark (issue 5): a full graph_resync, then the latency of the facet computation
(matching set + disjunctive category, maker, model, country and spec facets) for typical
filter sets, in Neo4j (graph.selectors.facet_search) and, as a baseline, the same counts from
PostgreSQL GROUP BY queries, side by side in one run. Checks that both give the same result.

    .venv/bin/python -m bench.graph [--requests 60] [--no-resync]

Runs against `make run`'s database, search index and Neo4j (seed them first:
manage.py seed_catalogue --machines 100000 && manage.py search_reindex). For text, the
graph gets the engine's count of the matches per cohort (as /api/v1/search/ does) and the
PostgreSQL baseline the ids of every match; each fetch is shown apart and included in its
store's total. The baseline computes only what the graph is asked for (graph_postgres.py).
"Same counts" compares every facet, the matching listings and the country facet: for text,
the graph's matching cohorts resolved to the text's matches in them and the country facet
the engine counts within them (the search's own answer), against PostgreSQL's. Prints what
it measured."""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.common import machine_line, percentile, server_gc, setup_django, summary

CATEGORY_ONLY = ["excavators", "mini-excavators", "crawler-excavators", "wheel-loaders", "forklifts", "cranes",
                 "dozers", "telehandlers", "rollers", "aerial-work-platforms"]  # fmt: skip
# (category, maker, [(spec, min, max) in canonical units])
Range = tuple[str, float | None, float | None]
CATEGORY_MAKER_SPECS: list[tuple[str, str, list[Range]]] = [
    ("excavators", "komatsu", [("operating_weight", 10_000, 30_000), ("engine_power", 50, 150)]),
    ("mini-excavators", "kubota", [("operating_weight", 1_000, 4_000), ("engine_power", 10, 30)]),
    ("crawler-excavators", "hitachi", [("operating_weight", 15_000, 40_000), ("max_digging_depth", 5, 8)]),
    ("wheel-loaders", "caterpillar", [("operating_weight", 10_000, 25_000), ("bucket_capacity", 2, 4)]),
    ("forklifts", "toyota", [("rated_load", 1_500, 3_500), ("engine_power", 20, 60)]),
    ("mini-excavators", "takeuchi", [("operating_weight", 2_000, 6_000), ("bucket_capacity", 0.05, 0.2)]),
]
TEXT_SPECS: list[tuple[str, list[Range]]] = [
    ("excavator", [("operating_weight", 10_000, 30_000), ("engine_power", 80, None)]),
    ("komatsu pc200", [("operating_weight", 15_000, None)]),
    ("mini excavator", [("operating_weight", None, 3_000), ("engine_power", 10, None)]),
    ("wheel loader", [("bucket_capacity", 2, 5)]),
    ("crane", [("lift_capacity", 10_000, None)]),
    ("油圧ショベル", [("operating_weight", 5_000, 25_000)]),
]


def requests(rng: random.Random, kind: str) -> tuple[str, Any]:
    """A (text, FacetRequest) of one typical filter set."""
    from graph.facets import FacetRequest, SpecRange

    if kind == "category only":
        return "", FacetRequest(categories=(rng.choice(CATEGORY_ONLY),), with_ids=False)
    if kind == "category + maker + 2 spec ranges":
        category, maker, ranges = rng.choice(CATEGORY_MAKER_SPECS)
        return "", FacetRequest(
            categories=(category,), makers=(maker,), specs=tuple(SpecRange(*r) for r in ranges)
        )
    text, ranges = rng.choice(TEXT_SPECS)
    return text, FacetRequest(specs=tuple(SpecRange(*r) for r in ranges))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return (time.perf_counter() - started) * 1000, value


def cohort_members() -> dict[str, set[int]]:
    """Every cohort's listings, by cohort key."""
    from graph.client import run_query
    from graph.facets import cohort_members_query

    listed = run_query(cohort_members_query().text)[0]
    return {
        key: set(map(int, ids.split(","))) for key, ids in zip(listed["cohorts"], listed["ids"], strict=True)
    }


def listings_of(
    cohorts: frozenset[str], candidates: tuple[int, ...], members: dict[str, set[int]]
) -> frozenset[int]:
    """The text's matches in the matching cohorts: the listings the engine then pages."""
    wanted = set(candidates)
    return frozenset(machine_id for key in cohorts for machine_id in members[key] & wanted)


def engine_countries(text: str, cohorts: frozenset[str]) -> dict[str, int]:
    """The country facet the search engine counts within the matching cohorts."""
    from search.query import SearchParams
    from search.selectors import search_machines

    if not cohorts:
        return {}
    params = SearchParams(text=text, cohorts=tuple(sorted(cohorts)), facet_fields=("country",), limit=1)
    return {bucket["key"]: bucket["count"] for bucket in search_machines(params).facets["country"]}


def most_frequent(counts: dict[str, int], shown: dict[str, int]) -> dict[str, int]:
    """As many of `counts`' most frequent keys as the engine shows (it shows the top ones)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return dict(ordered[: len(shown)]) if len(shown) < len(counts) else counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60, help="Requests per filter set and store.")
    parser.add_argument("--no-resync", action="store_true", help="Skip the full graph_resync.")
    parser.add_argument("--seed", type=int, default=5)
    arguments = parser.parse_args()
    setup_django()
    from dataclasses import replace

    from bench.graph_postgres import postgres_facets
    from graph.client import run_query
    from graph.selectors import facet_search, spec_catalogue
    from marketplace.models import Machine
    from marketplace.models.machines import SEARCHABLE_STATUSES
    from search.engine import candidate_ids, cohort_tallies
    from search.query import SearchParams

    print(f"graph benchmark · {machine_line()}")
    visible = Machine.objects.filter(status__in=SEARCHABLE_STATUSES).count()
    print(f"machines in PostgreSQL: {Machine.objects.count()} ({visible} visible)")
    if not arguments.no_resync:
        from graph.resync import resync_graph

        result = resync_graph()
        print(
            f"graph_resync: {result.machines} machines in {result.seconds:.1f} s "
            f"({result.machines / result.seconds:.0f} machines/s); {result.removed} stale nodes removed"
        )
    print(f"machines in the graph: {run_query('MATCH (m:Machine) RETURN count(m) AS n')[0]['n']}")

    server_gc()  # the facet computation runs in a server process, under its collector settings
    rng = random.Random(arguments.seed)
    specs = spec_catalogue()
    kinds = ("category only", "category + maker + 2 spec ranges", "text + spec ranges")
    for kind in kinds:  # warm: plans compiled, caches filled, for every request shape of the run
        for _ in range(6):
            text, request = requests(rng, kind)
            if text:
                tallies = cohort_tallies(SearchParams(text=text))
                facet_search(replace(request, tallies=tallies, with_countries=False), specs)
                request = replace(request, candidates=candidate_ids(SearchParams(text=text)))
            else:
                facet_search(request, specs)
            postgres_facets(request, specs)
    print(f"{'filter set':<34} {'store':<10} {'latency of the facet computation (ms)':<54} ratio p50 / p95")
    members = cohort_members()
    for kind in kinds:
        graph_ms: list[float] = []
        postgres_ms: list[float] = []
        candidates_ms: list[float] = []
        tallies_ms: list[float] = []
        disagreements = 0
        for _ in range(arguments.requests):
            text, request = requests(rng, kind)
            if text:
                # as /api/v1/search/ does: the engine counts the text's matches per cohort, and
                # their countries when it pages within the matching cohorts (not timed here:
                # the country facet is compared below from PostgreSQL's side only); the
                # baseline needs the ids of every match
                tally_ms, tallies = timed(partial(cohort_tallies, SearchParams(text=text)))
                tallies_ms.append(tally_ms)
                elapsed, from_graph = timed(
                    partial(facet_search, replace(request, tallies=tallies, with_countries=False), specs)
                )
                graph_ms.append(elapsed + tally_ms)
                fetch_ms, candidates = timed(partial(candidate_ids, SearchParams(text=text)))
                candidates_ms.append(fetch_ms)
                request = replace(request, candidates=candidates)
            else:
                fetch_ms = 0.0
                elapsed, from_graph = timed(partial(facet_search, request, specs))
                graph_ms.append(elapsed)
            elapsed, from_postgres = timed(partial(postgres_facets, request, specs))
            postgres_ms.append(elapsed + fetch_ms)
            if text:
                # Compared for real, not timed: the matching cohorts' listings among the text's
                # matches (as the engine pages them), and the country facet the engine counts
                # within those cohorts (search/selectors.py), against PostgreSQL's ids and the
                # same number of its most frequent countries.
                ids = listings_of(from_graph.cohorts or frozenset(), candidates, members)
                countries = engine_countries(text, from_graph.cohorts or frozenset())
                from_graph = replace(from_graph, cohorts=None, ids=ids, country=countries)
                from_postgres = replace(
                    from_postgres, country=most_frequent(from_postgres.country, countries)
                )
            disagreements += from_graph != from_postgres
        ratio_p50 = percentile(postgres_ms, 0.5) / percentile(graph_ms, 0.5)
        ratio_p95 = percentile(postgres_ms, 0.95) / percentile(graph_ms, 0.95)
        print(f"{kind:<34} {'Neo4j':<10} {summary(graph_ms):<54}")
        if tallies_ms:
            print(f"{'':<34} {'(of which':<10} {summary(tallies_ms):<54} the engine's count per cohort)")
        print(f"{'':<34} {'PostgreSQL':<10} {summary(postgres_ms):<54} {ratio_p50:.2f} / {ratio_p95:.2f}")
        if candidates_ms:
            print(
                f"{'':<34} {'(of which':<10} {summary(candidates_ms):<54} candidate ids from the search engine)"
            )
        print(
            f"{'':<34} same counts from both stores: {arguments.requests - disagreements}/{arguments.requests}"
        )


if __name__ == "__main__":
    main()
