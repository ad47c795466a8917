"""Alerts benchmark (issue 21): saved searches percolated as listings are published.

    SEARCH_INDEX_PREFIX=benchalerts .venv/bin/python -m bench.alerts [--searches 100000]
        [--listings 200] [--warmup 30] [--burst 1000]

Runs against `make run`'s database (seed it first: manage.py seed_catalogue), in an index
prefix of its own (refused if it is `make run`'s), where it first indexes the catalogue (the
machine index the words' guards count a word's listings in, as in production), and removes
what it made when done: its buyers (their saved searches and notifications with them), its
listings, their outbox rows and its indices.

* --searches saved searches, drawn from the catalogue's makers, models, categories, names
  (English and Japanese) and realistic ranges, one in ten paused, 50 per buyer: written to
  PostgreSQL in bulk, then the percolator index built from them (`rebuild_percolator_index`,
  what `manage.py saved_searches_reindex` runs). Its time is printed.
* One newly published listing percolated: --listings listings cloned from the catalogue
  (after --warmup not counted), each percolated alone (`alerts.percolator.percolate` on its
  document, built before the clock starts: its guard keys, its words, its searches), client
  time, median and p95, with its keys' request timed apart; and the whole
  telling of one listing (its document read from PostgreSQL, percolated, the notifications
  written: `alerts.matching.tell_matches`, rolled back).
* A burst: --burst listings published one after another through the marketplace's service,
  while an outbox worker process (`manage.py outbox_worker --topic alerts`) drains them; the
  time from the first publication until every notification is written.

With --keep, the saved searches and the indices stay for `bench.alerts_burst`, which times
bursts alone on them (one code against another, on the same searches).
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, machine_line, percentile, setup_django

BUYERS_PREFIX = "bench-alerts-"
PER_BUYER = 50
BURST_DEADLINE_SECONDS = 600


@dataclass(frozen=True)
class Model:
    slug: str
    maker: str
    maker_name: str
    maker_ja: str
    number: str
    category: str
    parent: str | None
    category_en: str
    category_ja: str


def catalogue_models() -> list[Model]:
    from marketplace.models import Category, MachineModel

    categories = {c.pk: c for c in Category.objects.all()}
    models = []
    for model in MachineModel.objects.select_related("maker", "category"):
        category = model.category
        parent = categories.get(category.parent_id) if category.parent_id else None
        models.append(
            Model(
                model.slug, model.maker.slug, model.maker.name, model.maker.names.get("ja", model.maker.name),
                model.model_number, category.slug, parent.slug if parent else None,
                category.names.get("en", category.slug), category.names.get("ja", category.slug),
            )
        )  # fmt: skip
    return models


def saved_query(rng: random.Random, models: list[Model]) -> str:
    """A search a buyer would keep: a maker in a category, a model under a price, a category
    with year, hours and price bounds, words (a maker, a model number, a category, in English
    or Japanese) or a category with a weight range."""
    model = rng.choice(models)
    category = model.parent if model.parent and rng.random() < 0.4 else model.category
    params: list[tuple[str, Any]] = []
    kind = rng.random()
    if kind < 0.35:
        params += [("maker", model.maker), ("category", category)]
        if rng.random() < 0.4:
            params.append(("year_min", rng.randint(2008, 2022)))
    elif kind < 0.55:
        params.append(("model", model.slug))
        if rng.random() < 0.5:
            params.append(("price_max", rng.choice([20, 40, 60, 80, 120, 200]) * 1000))
    elif kind < 0.75:
        params.append(("category", category))
        params.append(("year_min", rng.randint(2005, 2022)))
        if rng.random() < 0.5:
            params.append(("hours_max", rng.choice([2000, 5000, 8000, 12000])))
        if rng.random() < 0.6:
            params.append(("price_max", rng.choice([30, 50, 80, 150, 300]) * 1000))
    elif kind < 0.92:
        text = rng.choice(
            [f"{model.maker_name} {model.number}", model.maker_name, model.category_en.lower(), model.category_ja,
             model.maker_ja, f"{model.maker_name} {model.category_en.lower()}", model.number]
        )  # fmt: skip
        params.append(("q", text))
        if rng.random() < 0.3:
            params.append(("country", rng.choice(["JP", "DE", "US", "GB", "FR", "NL"])))
    else:
        low = rng.choice([1, 3, 5, 10, 15, 20, 30])
        params += [("category", category), ("spec.operating_weight.min", low),
                   ("spec.operating_weight.max", low * rng.choice([2, 3]))]  # fmt: skip
    return urlencode(sorted(params))


def make_saved_searches(count: int, models: list[Model], rng: random.Random) -> list[int]:
    """Buyers with PER_BUYER saved searches each, written in bulk; returns the buyers' ids."""
    from alerts.models import Delivery, SavedSearch
    from marketplace.models import User

    buyers = User.objects.bulk_create(
        [
            User(username=f"{BUYERS_PREFIX}{n:06d}", email=f"{BUYERS_PREFIX}{n}@example.com", password="!")
            for n in range((count + PER_BUYER - 1) // PER_BUYER)
        ]
    )
    deliveries = [Delivery.SITE, Delivery.EMAIL, Delivery.DIGEST]
    rows = [
        SavedSearch(
            user_id=buyers[n // PER_BUYER].pk,
            name=f"search {n}",
            query=saved_query(rng, models),
            delivery=rng.choice(deliveries),
            paused=rng.random() < 0.1,
        )
        for n in range(count)
    ]
    SavedSearch.objects.bulk_create(rows, batch_size=5000)
    return [buyer.pk for buyer in buyers]


def clone_listings(count: int, rng: random.Random, *, status: str) -> list[int]:
    """New listings copied from random catalogue listings (new ids, published now)."""
    from django.utils import timezone

    from marketplace.models import Machine

    ids = list(Machine.objects.filter(status="published").values_list("pk", flat=True)[:20000])
    sources = Machine.objects.in_bulk(rng.sample(ids, min(count, len(ids))))
    now = timezone.now()
    clones = []
    for pk in rng.choices(list(sources), k=count):
        clone = copy.copy(sources[pk])
        clone.pk = None
        clone.status = status
        clone.published_at = now if status == "published" else None
        clones.append(clone)
    return [machine.pk for machine in Machine.objects.bulk_create(clones)]


def time_percolation(ids: list[int], warmup: int) -> None:
    from django.db import transaction

    from alerts.matching import listing_documents, tell_matches
    from alerts.percolator import keyed_documents, percolate

    documents = listing_documents(ids)
    client_ms: list[float] = []
    keys_ms: list[float] = []
    matches: list[float] = []
    telling_ms: list[float] = []
    told: list[float] = []
    for n, machine_id in enumerate(ids):
        started = time.perf_counter()
        keyed_documents([documents[machine_id]])
        keys_elapsed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        pairs = percolate([documents[machine_id]])
        elapsed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        with transaction.atomic():
            written = tell_matches([machine_id])
            transaction.set_rollback(True)
        whole = (time.perf_counter() - started) * 1000
        if n >= warmup:
            client_ms.append(elapsed)
            keys_ms.append(keys_elapsed)
            matches.append(len(pairs))
            telling_ms.append(whole)
            told.append(len(written))
    print(f"percolate one listing (`alerts.percolator.percolate`: its keys, its words, its searches; client ms): "
          f"median {percentile(client_ms, 0.5):6.1f}  p95 {percentile(client_ms, 0.95):6.1f}  (n={len(client_ms)}); "
          f"goal p95 <= 50 ms")  # fmt: skip
    print(f"  of which its keys (term vectors, timed apart): median {percentile(keys_ms, 0.5):.1f}  "
          f"p95 {percentile(keys_ms, 0.95):.1f}")  # fmt: skip
    print(
        f"  matches per listing: median {percentile(matches, 0.5):.0f}  p95 {percentile(matches, 0.95):.0f}  max {max(matches)}"
    )
    print(f"tell one listing (read, percolate, notify; ms): median {percentile(telling_ms, 0.5):6.1f}  "
          f"p95 {percentile(telling_ms, 0.95):6.1f}; notifications per listing: median {percentile(told, 0.5):.0f}")  # fmt: skip


def time_burst(count: int, rng: random.Random, made: list[int]) -> None:
    """The burst; its listings' ids are added to `made` as soon as they exist (to be removed)."""
    from marketplace import services
    from marketplace.models import Machine, OutboxEvent, User

    ids = clone_listings(count, rng, status="draft")
    made += ids
    sellers = User.objects.in_bulk(
        set(Machine.objects.filter(pk__in=ids).values_list("seller_id", flat=True))
    )
    seller_of = dict(Machine.objects.filter(pk__in=ids).values_list("pk", "seller_id"))
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "outbox_worker", "--topic", "alerts", "--poll-seconds", "1"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert worker.stdout is not None
        worker.stdout.readline()  # "outbox worker draining alerts": it is listening
        started = time.perf_counter()
        for machine_id in ids:
            services.machine_publish(actor=sellers[seller_of[machine_id]], machine_id=machine_id)
        published = time.perf_counter() - started
        pending = OutboxEvent.objects.filter(topic="alerts", entity="machine_published", entity_id__in=ids)
        deadline = time.monotonic() + BURST_DEADLINE_SECONDS
        while pending.filter(processed_at__isnull=True).exists():
            if worker.poll() is not None:
                raise RuntimeError("the worker stopped")
            if time.monotonic() > deadline:
                told_so_far = pending.filter(processed_at__isnull=False).count()
                print(f"burst of {count} listings: NOT finished after {BURST_DEADLINE_SECONDS} s: "
                      f"{told_so_far} of {count} listings told; goal <= 60 s")  # fmt: skip
                return
            time.sleep(0.05)  # polling a condition, with a deadline
        done = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # inside a batch's transaction: rolled back
            worker.kill()
            worker.wait()
    from alerts.models import Notification

    told = Notification.objects.filter(machine_id__in=ids).count()
    print(f"burst of {count} listings: published in {published:.1f} s; every notification written "
          f"{done:.1f} s after the first publication ({told} notifications); goal <= 60 s")  # fmt: skip


def clean_up(buyer_ids: list[int], machine_ids: list[int], *, indices: bool = True) -> None:
    from alerts.models import Notification
    from alerts.percolator import alias
    from marketplace.models import Machine, OutboxEvent, User
    from search.client import get_client
    from search.indices import MACHINES, alias_name

    Notification.objects.filter(machine_id__in=machine_ids).delete()
    OutboxEvent.objects.filter(
        entity_id__in=machine_ids, entity__in=["machine", "machine_published"]
    ).delete()
    Machine.objects.filter(pk__in=machine_ids).delete()
    User.objects.filter(pk__in=buyer_ids).delete()
    if not indices:
        return
    client = get_client()
    client.indices.delete(index=f"{alias()}-v*", ignore=[404])
    machines = alias_name(MACHINES)
    if client.indices.exists_alias(name=machines):
        for index in client.indices.get_alias(name=machines):
            client.indices.delete(index=index, ignore=[404])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--searches", type=int, default=100_000)
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the buyers, their saved searches and the indices (for bench.alerts_burst)",
    )
    args = parser.parse_args()
    if os.environ.get("SEARCH_INDEX_PREFIX", "marketplace") == "marketplace":
        sys.exit("set SEARCH_INDEX_PREFIX to an index prefix of the benchmark's own (benchalerts)")
    setup_django()
    from alerts.models import SavedSearch
    from alerts.percolator import rebuild_percolator_index
    from marketplace.models import User

    print(machine_line())
    rng = random.Random(args.seed)
    User.objects.filter(username__startswith=BUYERS_PREFIX).delete()  # a run interrupted before
    models = catalogue_models()
    buyer_ids: list[int] = []
    machine_ids: list[int] = []
    try:
        from search.reindex import reindex_machines

        indexed_machines = reindex_machines()
        print(
            f"catalogue indexed under the prefix: {indexed_machines.documents} listings in {indexed_machines.seconds:.1f} s"
        )
        started = time.perf_counter()
        buyer_ids = make_saved_searches(args.searches, models, rng)
        written = time.perf_counter() - started
        started = time.perf_counter()
        indexed = rebuild_percolator_index(batch_size=2000)
        print(f"{args.searches} saved searches: written in {written:.1f} s; percolator index built from "
              f"PostgreSQL in {time.perf_counter() - started:.1f} s ({indexed} searches, "
              f"{SavedSearch.objects.filter(paused=True).count()} paused)")  # fmt: skip
        single = clone_listings(args.warmup + args.listings, rng, status="published")
        machine_ids += single
        time_percolation(single, args.warmup)
        time_burst(args.burst, rng, machine_ids)
    finally:
        if args.keep:
            clean_up([], machine_ids, indices=False)
        else:
            clean_up(buyer_ids, machine_ids)


if __name__ == "__main__":
    main()
