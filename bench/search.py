"""Search benchmark (issue 19): latency of the search as a buyer's page asks for it, from a
client process, against the engine's own `took`, at the catalogue's scale.

    .venv/bin/python -m bench.search [--requests 300] [--warmup 30] [--reindex]

Runs against `make run`'s database, index and graph (seed them first:
manage.py seed_catalogue --machines 100000 --seed 1 --reset && manage.py search_reindex &&
manage.py graph_resync). Classes:

* /api/v1/search/ — text only; text + filters; category + spec filters (the graph finds the
  matching cohorts, then the engine pages within them). Each with facets, as the page asks.
  The overhead ratio divides each request's client latency by the engine's `took` for the
  page alone (never by a sum with the graph's or the tallies' time), reported at p50 and
  p95 of the per-request ratios.
* /api/v1/search/spec-facets/ — cold (the projections' version moved on before each request,
  so nothing is cached) and cached (the same request again).
* /api/v1/search/suggest/ — autocomplete prefixes.
* Floors: what any server in front of the engine pays before its own work. The engine's round
  trip beyond its `took` (each class's page request sent by this client straight to the
  engine: its HTTP, its parsing of the request and its writing of the answer, which `took`
  leaves out) and the server's floor (an API request that asks the engine nothing: an empty
  autocomplete). Their sum over the page's took is the overhead ratio of a server that did
  nothing but forward the page.

Each class is warmed with --warmup requests first (not counted). The engine's shard request
cache answers repeated size-0 aggregations (the cohort tallies) from memory: its hit and miss
counts over each class are printed, so it is plain whether a figure had its help."""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

import httpx

from bench.common import asgi_server, machine_line, percentile, setup_django, summary

TEXTS = [
    ("excavator", "en"),
    ("komatsu pc200", "en"),
    ("wheel loader", "en"),
    ("kubota mini excavator", "en"),
    ("PC20", "en"),
    ("digger", "en"),
    ("crane", "en"),
    ("low hours dozer", "en"),
    ("caterpillar 320", "en"),
    ("油圧ショベル", "ja"),
    ("コマツ", "ja"),
    ("ミニショベル", "ja"),
    ("ホイールローダー", "ja"),
    ("挖掘机", "zh"),
    ("小松 挖掘机", "zh"),
    ("装载机", "zh"),
]
FILTERS = [
    {"category": "excavators", "year_min": "2012"},
    {"maker": "komatsu", "hours_max": "8000"},
    {"category": "wheel-loaders", "price_max": "8000000", "currency": "EUR"},
    {"country": "JP", "year_min": "2015"},
    {"maker": "caterpillar", "sort": "price"},
]
# category + spec ranges in the buyer's display units (no text): the graph filters and counts
SPEC_FILTERS = [
    {"category": "excavators", "spec.operating_weight.min": "10", "spec.operating_weight.max": "30"},
    {"category": "mini-excavators", "spec.operating_weight.max": "4", "spec.engine_power.min": "10"},
    {"category": "wheel-loaders", "spec.bucket_capacity.min": "2"},
    {"category": "forklifts", "spec.rated_load.min": "1.5", "maker": "toyota"},
]
PREFIXES = [
    "ko",
    "kom",
    "koma",
    "cat",
    "cate",
    "hit",
    "kub",
    "pc2",
    "コマ",
    "日立",
    "小松",
    "vol",
    "lieb",
    "zx",
]
TIMING = re.compile(r"engine;dur=([0-9.]+)")
GRAPH_TIMING = re.compile(r"graph;dur=([0-9.]+)")
SEARCH_CLASSES = ("text only", "text + filters", "category + spec filters")
# spec-facet requests: category alone, category + text, spec filters (+ text)
FACET_REQUESTS = [
    *({"category": filters["category"]} for filters in SPEC_FILTERS),
    {"category": "excavators", "q": "komatsu", "lang": "en"},
    {"category": "wheel-loaders", "q": "caterpillar", "lang": "en"},
    {"category": "mini-excavators", "q": "kubota", "lang": "en"},
    {"category": "excavators", "q": "油圧ショベル", "lang": "ja"},
    *SPEC_FILTERS,
    {**SPEC_FILTERS[0], "q": "komatsu", "lang": "en"},
]


def search_request(name: str, rng: random.Random) -> dict[str, str]:
    if name == "category + spec filters":
        return dict(rng.choice(SPEC_FILTERS))
    text, language = rng.choice(TEXTS)
    params = {"q": text, "lang": language}
    if name == "text + filters":
        params.update(rng.choice(FILTERS))
    return params


def timed(
    client: httpx.Client,
    url: str,
    params: dict[str, str] | None = None,
    *,
    body: dict[str, object] | None = None,
) -> tuple[float, httpx.Response]:
    """A GET with `params`, or a POST of `body` as JSON: its client latency (ms) and answer."""
    started = time.perf_counter()
    response = client.get(url, params=params) if body is None else client.post(url, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response


def header_ms(response: httpx.Response, pattern: re.Pattern[str]) -> float:
    match = pattern.search(response.headers.get("server-timing", ""))
    return float(match.group(1)) if match else 0.0


def request_cache(client: httpx.Client, engine: str) -> tuple[int, int]:
    """The engine's shard request cache: hits and misses so far, over the machine indexes."""
    stats = client.get(f"{engine}/_stats/request_cache").json()["_all"]["total"]["request_cache"]
    return int(stats["hit_count"]), int(stats["miss_count"])


def run_search_class(
    client: httpx.Client, base: str, name: str, requests: int, warmup: int, rng: random.Random
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Client latencies, the page's took, per-request ratios and the graph's time."""
    url = f"{base}/api/v1/search/"
    for _ in range(warmup):
        timed(client, url, search_request(name, rng))
    latencies, took, ratios, graph = [], [], [], []
    for _ in range(requests):
        elapsed, response = timed(client, url, search_request(name, rng))
        page = header_ms(response, TIMING)
        latencies.append(elapsed)
        took.append(page)
        ratios.append(elapsed / max(page, 1.0))
        graph.append(header_ms(response, GRAPH_TIMING))
    return latencies, took, ratios, graph


def run_spec_facets(
    client: httpx.Client, base: str, requests: int, warmup: int, rng: random.Random, *, cached: bool
) -> tuple[list[float], list[float], int]:
    """Client latencies and the graph's time of spec-facet requests, and how many were
    answered from the cache."""
    from graph.versions import bump_projection_version

    url = f"{base}/api/v1/search/spec-facets/"
    latencies, graph, hits = [], [], 0
    for index in range(warmup + requests):
        params = dict(rng.choice(FACET_REQUESTS))
        if cached:
            timed(client, url, params)  # fills the cache
        else:
            bump_projection_version()  # as a change to the catalogue would: nothing cached
        elapsed, response = timed(client, url, params)
        if index < warmup:
            continue
        latencies.append(elapsed)
        graph.append(header_ms(response, GRAPH_TIMING))
        hits += "cache;desc=hit" in response.headers.get("server-timing", "")
    return latencies, graph, hits


def run_autocomplete(
    client: httpx.Client, base: str, requests: int, warmup: int, rng: random.Random
) -> list[float]:
    url = f"{base}/api/v1/search/suggest/"
    for _ in range(warmup):
        timed(client, url, {"q": rng.choice(PREFIXES)})
    return [timed(client, url, {"q": rng.choice(PREFIXES), "lang": "en"})[0] for _ in range(requests)]


def run_engine_round_trips(
    client: httpx.Client, engine: str, name: str, requests: int, warmup: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    """The class's page requests as the server builds them, sent by this client straight to
    the engine: client latencies and the engine's took."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from search.client import index_name
    from search.indices import MACHINES
    from search.params import parse_search_params
    from search.query import build_search

    url, factory = f"{engine}/{index_name(MACHINES)}/_search", RequestFactory()
    latencies, took = [], []
    for index in range(warmup + requests):
        params = parse_search_params(Request(factory.get("/", search_request(name, rng))))
        elapsed, response = timed(client, url, body=build_search(params))
        if index >= warmup:
            latencies.append(elapsed)
            took.append(float(response.json()["took"]))
    return latencies, took


def cache_used(client: httpx.Client, engine: str, before: tuple[int, int]) -> str:
    after = request_cache(client, engine)
    return f"engine request cache: {after[0] - before[0]} hits, {after[1] - before[1]} misses"


def verdict(value: float, goal: float) -> str:
    return "meets" if value <= goal else "MISSES"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--reindex", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    setup_django()
    from django.conf import settings

    from marketplace.models import Machine

    print(f"search benchmark · {machine_line()}")
    print(f"machines in PostgreSQL: {Machine.objects.count()}")
    if arguments.reindex:
        from search.reindex import reindex_machines

        result = reindex_machines()
        print(
            f"full reindex: {result.documents} documents in {result.seconds:.1f} s ({result.documents / result.seconds:.0f} docs/s)"
        )

    rng = random.Random(arguments.seed)
    engine = str(settings.ELASTICSEARCH_URL).rstrip("/")
    n, warmup = arguments.requests, arguments.warmup
    with asgi_server() as base, httpx.Client(timeout=30) as client:
        print(
            f"indexed: {client.get(f'{base}/api/v1/search/', params={'limit': 1}).json()['count']} machines"
        )
        print(f"{n} requests per class after {warmup} warm-up requests; times in ms\n")
        print(f"{'GET /api/v1/search/':<26} {'client latency':<46} {'page took':<46} latency / took p50, p95")
        for name in SEARCH_CLASSES:
            before = request_cache(client, engine)
            latencies, took, ratios, graph = run_search_class(client, base, name, n, warmup, rng)
            cache = cache_used(client, engine, before)
            p95 = percentile(latencies, 0.95)
            ratio_p50, ratio_p95 = statistics.median(ratios), percentile(ratios, 0.95)
            print(f"{name:<26} {summary(latencies):<46} {summary(took):<46} {ratio_p50:.2f}, {ratio_p95:.2f}")
            if any(graph):
                print(f"{'':<26} graph {summary(graph)}")
            print(
                f"{'':<26} goal p95 <= 50: {verdict(p95, 50)} ({p95:.1f});"
                f" ratio <= 2: {verdict(ratio_p50, 2)} at p50 · {cache}"
            )
        print(f"\n{'GET .../spec-facets/':<26} {'client latency':<46} {'graph time':<46} cache hits")
        for cached, goal in ((False, 100.0), (True, 10.0)):
            before = request_cache(client, engine)
            latencies, graph, hits = run_spec_facets(client, base, n, warmup, rng, cached=cached)
            cache = cache_used(client, engine, before)
            label = "cached" if cached else "cold cache"
            p95 = percentile(latencies, 0.95)
            print(f"{label:<26} {summary(latencies):<46} {summary(graph):<46} {hits}/{n}")
            print(f"{'':<26} goal p95 <= {goal:.0f}: {verdict(p95, goal)} ({p95:.1f}) · {cache}")
        latencies = run_autocomplete(client, base, n, warmup, rng)
        p95 = percentile(latencies, 0.95)
        print(f"\n{'GET .../suggest/':<26} {summary(latencies)}")
        print(f"{'':<26} goal p95 <= 15: {verdict(p95, 15)} ({p95:.1f})")
        print_floors(client, base, engine, n, warmup, rng)


def print_floors(
    client: httpx.Client, base: str, engine: str, n: int, warmup: int, rng: random.Random
) -> None:
    floor = [timed(client, f"{base}/api/v1/search/suggest/", {"q": ""})[0] for _ in range(warmup + n)][
        warmup:
    ]
    print(f"\nfloors{'':<20} {'client latency':<46} {'beyond took':<46} forwarding ratio p50")
    print(f"{'server (asks no engine)':<26} {summary(floor)}")
    server = statistics.median(floor)
    for name in SEARCH_CLASSES:
        latencies, took = run_engine_round_trips(client, engine, name, n, warmup, rng)
        beyond = [latency - page for latency, page in zip(latencies, took, strict=True)]
        forwarding = [
            (server + extra + page) / max(page, 1.0) for extra, page in zip(beyond, took, strict=True)
        ]
        print(
            f"{'engine: ' + name:<26} {summary(latencies):<46} {summary(beyond):<46} {statistics.median(forwarding):.2f}"
        )


if __name__ == "__main__":
    main()
