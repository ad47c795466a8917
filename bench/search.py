"""Search benchmark (issue 4): latency of /api/v1/search/ from a client process for a mixed query
set, against the engine's own `took` for the same requests, and a full reindex.

    .venv/bin/python -m bench.search [--requests 300] [--reindex]

Runs against `make run`'s database and index (seed them first: manage.py seed_catalogue
--machines 100000 && manage.py search_reindex). Prints what it measured."""

from __future__ import annotations

import argparse
import random
import re
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
CANDIDATES_TIMING = re.compile(r"candidates;dur=([0-9.]+)")
GRAPH_TIMING = re.compile(r"graph;dur=([0-9.]+)")
CLASSES = ("text only", "text + filters + facets", "category + spec filters + facets", "autocomplete")


def run_class(
    client: httpx.Client, base: str, name: str, requests: int, rng: random.Random
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Client latencies, the engine's `took` (the page and the text candidates), the page's
    alone, and the graph's time (0 when it took no part)."""
    latencies: list[float] = []
    engine: list[float] = []
    page: list[float] = []
    graph: list[float] = []
    for _ in range(requests):
        if name == "autocomplete":
            url, params = f"{base}/api/v1/search/suggest/", {"q": rng.choice(PREFIXES), "lang": "en"}
        elif name == "category + spec filters + facets":
            url, params = f"{base}/api/v1/search/", dict(rng.choice(SPEC_FILTERS))
        else:
            text, language = rng.choice(TEXTS)
            params = {"q": text, "lang": language}
            if name == "text + filters + facets":
                params.update(rng.choice(FILTERS))
            else:
                params["facets"] = "0"
            url = f"{base}/api/v1/search/"
        started = time.perf_counter()
        response = client.get(url, params=params)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        # the engine's own time: the page, plus the text candidates the graph counted over
        match = TIMING.search(response.headers.get("server-timing", ""))
        candidates = CANDIDATES_TIMING.search(response.headers.get("server-timing", ""))
        page.append(float(match.group(1)) if match else float("nan"))
        engine.append(page[-1] + (float(candidates.group(1)) if candidates else 0.0))
        graph_match = GRAPH_TIMING.search(response.headers.get("server-timing", ""))
        graph.append(float(graph_match.group(1)) if graph_match else 0.0)
    return latencies, engine, page, graph


def ratio(latencies: list[float], took: list[float]) -> str:
    """Client latency over the engine's took, at p50 and at p95."""
    return " / ".join(f"{percentile(latencies, q) / max(percentile(took, q), 1.0):.2f}" for q in (0.5, 0.95))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reindex", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    setup_django()
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
    with asgi_server() as base, httpx.Client(timeout=30) as client:
        print(
            f"indexed: {client.get(f'{base}/api/v1/search/', params={'limit': 1}).json()['count']} machines"
        )
        for _ in range(30):  # warm caches and connections
            client.get(f"{base}/api/v1/search/", params={"q": rng.choice(TEXTS)[0]})
        print(
            f"{'class':<26} {'client latency (ms)':<52} {'engine took, page + candidates (ms)':<52} ratio p50 / p95"
        )
        for name in CLASSES:
            latencies, engine, page, graph = run_class(client, base, name, arguments.requests, rng)
            print(f"{name:<26} {summary(latencies):<52} {summary(engine):<52} {ratio(latencies, engine)}")
            if any(graph):
                print(f"{'':<26} {'':<52} graph {summary(graph):<46} (graph time, incl. candidates)")
                print(
                    f"{'':<26} {'':<52} page  {summary(page):<46} {ratio(latencies, page)} (to the page's took alone)"
                )
            if 0 < sum(1 for ms in graph if ms) < len(graph):
                # the same requests split by whether the graph counted spec facets (those with a category)
                for label, wanted in (("  engine alone", False), ("  with the graph", True)):
                    chosen = [index for index, ms in enumerate(graph) if bool(ms) == wanted]
                    picked = [latencies[index] for index in chosen]
                    took = [engine[index] for index in chosen]
                    print(f"{label:<26} {summary(picked):<52} {summary(took):<52} {ratio(picked, took)}")


if __name__ == "__main__":
    main()
