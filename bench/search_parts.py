"""Where the search engine's time goes on a text search (issue 19), from the engine's own
`took`, the shard request cache off, against `make run`'s index (seeded as bench/search.py
says). Three experiments, each interleaved request by request so the machine's noise falls
on every variant alike:

* parts: the page's request as built, and the same without one part at a time (the category
  names' clauses, the titles', the descriptions', the fuzzy clause, the facet aggregations),
  over the broad texts that match every excavator;
* split: the page as one request, against the page (no aggregations, no total) and its
  facets (size 0, the text in filter context) sent side by side, timed from the client, over
  240 of the benchmark's texts;
* against: this code's request against the one built by `search/query.py` at another
  commit (`--against`), on the same index.

    .venv/bin/python -m bench.search_parts [--repeat 7] [--against 870a1be]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import ROOT, machine_line, percentile, setup_django
from bench.search import TEXTS

BROAD = [("excavator", "en"), ("digger", "en"), ("油圧ショベル", "ja"), ("ミニショベル", "ja"), ("挖掘机", "zh"),
         ("kubota mini excavator", "en")]  # fmt: skip
Body = dict[str, Any]


def without(body: Body, matches: Callable[[str], bool]) -> Body:
    """The body without the text query's clauses whose JSON `matches`."""
    trimmed = copy.deepcopy(body)
    text = trimmed["query"]["bool"]["must"][0]["bool"]
    text["should"] = [
        clause for clause in text["should"] if not matches(json.dumps(clause, ensure_ascii=False))
    ]
    return trimmed


def parts(body: Body) -> dict[str, Body]:
    no_aggregations = copy.deepcopy(body)
    no_aggregations.pop("aggs", None)
    return {
        "the page as built": body,
        "without category names": without(body, lambda c: '"category.names.' in c),
        "without titles": without(body, lambda c: '"title.' in c),
        "without descriptions": without(body, lambda c: '"description.' in c and '"title.' not in c),
        "without the fuzzy clause": without(body, lambda c: '"fuzziness"' in c and '"spelling"' in c),
        "without facet aggregations": no_aggregations,
    }


def took(client: Any, index: str, body: Body) -> int:
    return int(client.search(index=index, body=body, request_cache=False)["took"])


def split_request(client: Any, index: str, body: Body, pool: ThreadPoolExecutor) -> None:
    page = copy.deepcopy(body)
    page.pop("aggs", None)
    page.pop("min_score", None)
    page["track_total_hits"] = False
    facets = copy.deepcopy(body)
    for key in ("min_score", "highlight", "sort"):
        facets.pop(key, None)
    facets["size"] = 0
    facets["query"] = {"bool": {"filter": [facets["query"]]}}
    sent = pool.submit(client.search, index=index, body=page, request_cache=False)
    client.search(index=index, body=facets, request_cache=False)
    sent.result()


def query_module_at(commit: str) -> ModuleType:
    """`search/query.py` as it was at `commit`, imported beside this one."""
    source = subprocess.run(
        ["git", "show", f"{commit}:search/query.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"query_{commit}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"query_{commit}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def line(name: str, values: list[float]) -> str:
    return f"  {name:<28} p50 {statistics.median(values):6.1f}  p95 {percentile(values, 0.95):6.1f}  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--against", default="870a1be", help="A commit whose search/query.py to compare with."
    )
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    setup_django()
    from search import query
    from search.client import get_client
    from search.indices import MACHINES, alias_name

    client, index = get_client(), alias_name(MACHINES)
    print(f"search parts · {machine_line()} · engine took in ms, request cache off")

    timings: dict[str, list[float]] = {}
    for _ in range(arguments.repeat):
        for text, language in BROAD:
            for name, body in parts(
                query.build_search(query.SearchParams(text=text, language=language))
            ).items():
                timings.setdefault(name, []).append(took(client, index, body))
    print(f"parts, the broad texts ({len(BROAD)} texts x {arguments.repeat}):")
    for name, values in timings.items():
        print(line(name, values))

    rng = random.Random(arguments.seed)
    clocked: dict[str, list[float]] = {"one request": [], "page and facets side by side": []}
    with ThreadPoolExecutor(max_workers=1) as pool:
        for index_ in range(240):
            text, language = rng.choice(TEXTS)
            body = query.build_search(query.SearchParams(text=text, language=language))
            for name in sorted(clocked, reverse=index_ % 2 == 1):  # alternate which goes first
                started = time.perf_counter()
                if name == "one request":
                    client.search(index=index, body=body, request_cache=False)
                else:
                    split_request(client, index, body, pool)
                clocked[name].append((time.perf_counter() - started) * 1000)
    print("split, the benchmark's texts, client-side ms:")
    for name, values in clocked.items():
        print(line(name, values))

    old = query_module_at(arguments.against)
    compared: dict[str, list[float]] = {"this code": [], arguments.against: []}
    for _ in range(arguments.repeat):
        for text, language in TEXTS:
            compared["this code"].append(
                took(client, index, query.build_search(query.SearchParams(text=text, language=language)))
            )
            old_body = old.build_search(old.SearchParams(text=text, language=language))
            compared[arguments.against].append(took(client, index, old_body))
    print(f"against {arguments.against}, the benchmark's texts:")
    for name, values in compared.items():
        print(line(name, values))


if __name__ == "__main__":
    main()
