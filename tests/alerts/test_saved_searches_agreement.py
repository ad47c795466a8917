""" "Would this listing appear in my search" has one answer: the percolator's matches for a
saved search are the listings `/api/v1/search/` returns for the same query string, on
generated listings (makers, models, categories, years, prices, titles in English and
Japanese) and generated saved searches (words of that vocabulary, misspelt, partial or dropped by an analyser, filters, ranges, sorts).

Where the search's answer is not a match (alerts/percolator.py says why): a relaxed answer
(every word together found nothing) must be nothing for the percolator; the relevance order's
score floor may trim listings the percolator matches, which the same search in another order
returns.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from alerts.matching import listing_documents
from alerts.percolator import alias as percolator_alias
from alerts.percolator import percolate, sync_saved_searches
from alerts.saved_searches import saved_search_create
from marketplace.models import Category, Machine, MachineModel, Maker
from marketplace.money import to_pivot
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db

J = {  # Japanese names, as escapes (ruff: no ambiguous literals)
    "komatsu": "\u30b3\u30de\u30c4",
    "caterpillar": "\u30ad\u30e3\u30bf\u30d4\u30e9\u30fc",
    "kubota": "\u30af\u30dc\u30bf",
    "excavators": "\u6cb9\u5727\u30b7\u30e7\u30d9\u30eb",
    "mini-excavators": "\u30df\u30cb\u30b7\u30e7\u30d9\u30eb",
    "loaders": "\u30ed\u30fc\u30c0\u30fc",
    "wheel-loaders": "\u30db\u30a4\u30fc\u30eb\u30ed\u30fc\u30c0\u30fc",
    "maintained": "\u6574\u5099\u6e08\u307f",
    "hammer": "\u30cf\u30f3\u30de\u30fc\u4ed8\u304d",
}
CATEGORIES = [
    ("excavators", None, "Excavators"),
    ("mini-excavators", "excavators", "Mini excavators"),
    ("loaders", None, "Loaders"),
    ("wheel-loaders", "loaders", "Wheel loaders"),
]
MAKERS = [("komatsu", "Komatsu"), ("caterpillar", "Caterpillar"), ("kubota", "Kubota")]
MODELS = [
    ("komatsu", "PC200-8", "excavators"),
    ("komatsu", "WA320-8", "wheel-loaders"),
    ("caterpillar", "320D", "excavators"),
    ("caterpillar", "950M", "wheel-loaders"),
    ("kubota", "U27-4", "mini-excavators"),
]
EN_WORDS = ["hydraulic", "excavator", "loader", "clean", "hammer", "crawler", "low hours", "cab"]
JA_WORDS = [J["excavators"], J["maintained"], J["hammer"], J["loaders"]]
QUERY_WORDS = [
    "komatsu", "caterpillar", "kubota", "excavator", "loader", "hydraulic", "hammer", "clean", "pc200",
    "320d", "u27", "wheel loader", "mini", "crawler", "cab", "2015", "bulldozer",
    "komatzu", "kamatsu", "exkavator", "excavater", "hydralic", "caterpilar", "exca", "load", "hamm", "pc20", "with", "the",
    J["komatsu"], J["excavators"], J["loaders"], J["maintained"],
]  # fmt: skip


listing = st.fixed_dictionaries(
    {
        "model": st.sampled_from(MODELS),
        "year": st.integers(2008, 2022),
        "hours": st.integers(0, 20_000),
        "price_eur": st.integers(10, 200).map(lambda thousands: thousands * 1000),
        "country": st.sampled_from(["JP", "DE", "US"]),
        "en": st.none() | st.lists(st.sampled_from(EN_WORDS), min_size=1, max_size=3),
        "ja": st.none() | st.lists(st.sampled_from(JA_WORDS), min_size=1, max_size=2),
        "with_maker": st.booleans(),
    }
)


@st.composite
def saved_query(draw: st.DrawFn) -> str:
    parameters: list[tuple[str, Any]] = []
    words = draw(st.lists(st.sampled_from(QUERY_WORDS), max_size=2, unique=True))
    if words:
        parameters.append(("q", " ".join(words)))
    for name, values in (
        ("maker", [slug for slug, _ in MAKERS]),
        ("category", [slug for slug, _, _ in CATEGORIES]),
        ("country", ["JP", "DE", "US"]),
    ):
        if draw(st.integers(0, 2)) == 0:
            parameters += [
                (name, v)
                for v in draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
            ]
    if draw(st.integers(0, 5)) == 0:
        parameters.append(("model", draw(st.sampled_from([f"{m}-{n.lower()}" for m, n, _ in MODELS]))))
    for name, low, high in (("year_min", 2008, 2022), ("year_max", 2008, 2022), ("hours_max", 0, 20_000)):
        if draw(st.integers(0, 3)) == 0:
            parameters.append((name, draw(st.integers(low, high))))
    for name in ("price_min", "price_max"):
        if draw(st.integers(0, 3)) == 0:
            parameters.append((name, draw(st.integers(10, 200)) * 1000))
    parameters.append(("sort", draw(st.sampled_from(["relevance", "newest", "price", "-year"]))))
    parameters.append(("lang", draw(st.sampled_from(["en", "ja"]))))
    return urlencode(parameters)


@pytest.fixture
def vocabulary(percolator_index: str) -> dict[str, MachineModel]:
    categories: dict[str, Category] = {}
    for slug, parent, name in CATEGORIES:
        above = categories.get(parent) if parent else None
        categories[slug] = Category.objects.create(
            slug=slug,
            names={"en": name, "ja": J[slug]},
            parent=above,
            path=f"{above.path}/{slug}" if above else slug,
            depth=1 if above else 0,
        )
    makers = {
        slug: Maker.objects.create(slug=slug, name=name, names={"ja": J[slug]}) for slug, name in MAKERS
    }
    return {
        number: MachineModel.objects.create(
            maker=makers[maker],
            category=categories[category],
            model_number=number,
            slug=f"{maker}-{number.lower()}",
        )
        for maker, number, category in MODELS
    }


def _title(spec: dict[str, Any], model: MachineModel) -> dict[str, str]:
    title = {}
    prefix = f"{model.maker.name} {model.model_number} " if spec["with_maker"] else ""
    if spec["en"]:
        title["en"] = prefix + " ".join(spec["en"])
    if spec["ja"]:
        title["ja"] = (J[model.maker.slug] + " " if spec["with_maker"] else "") + " ".join(spec["ja"])
    return title or {"en": f"{model.maker.name} {model.model_number}"}


def _remove_the_last_example() -> None:
    """The rows of the example before, and their documents (indices are reused: creating
    them for each example would take most of the test's time)."""
    from alerts.models import SavedSearch

    machines = list(Machine.objects.values_list("pk", flat=True))
    searches = list(SavedSearch.objects.values_list("pk", flat=True))
    Machine.objects.all().delete()
    SavedSearch.objects.all().delete()
    apply_changes({"machine": set(machines)})
    sync_saved_searches(searches)
    # their words' documents stay behind (alerts/percolator.py: a rebuild sweeps them)
    get_client().indices.refresh(index=percolator_alias())
    words = get_client().search(
        index=percolator_alias(),
        body={"size": 1000, "_source": False, "query": {"term": {"saved_search_kind": "words"}}},
    )["hits"]["hits"]
    for hit in words:
        get_client().delete(index=percolator_alias(), id=hit["_id"], refresh=True)
    get_client().indices.refresh(index=alias_name(MACHINES))
    assert get_client().count(index=alias_name(MACHINES))["count"] == 0
    assert get_client().count(index=percolator_alias())["count"] == 0


def _api_ids(query: str, **extra: str) -> tuple[set[int], bool]:
    response = APIClient().get(f"/api/v1/search/?{query}&{urlencode({'limit': 100, **extra})}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] <= 100
    return {result["id"] for result in body["results"]}, body["relaxed"] is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    listings=st.lists(listing, min_size=4, max_size=12),
    queries=st.lists(saved_query(), min_size=1, max_size=4),
)
def test_the_percolator_matches_what_the_search_api_returns(
    vocabulary: dict[str, MachineModel], listings: list[dict[str, Any]], queries: list[str]
) -> None:
    # given listings in PostgreSQL and the machine index, and saved searches in the percolator
    _remove_the_last_example()
    seller = SellerFactory.create()
    buyer = UserFactory.create()
    ids = []
    for spec in listings:
        model = vocabulary[spec["model"][1]]
        machine = Machine.objects.create(
            seller=seller, model=model, year=spec["year"], hours=spec["hours"], country_id=spec["country"],
            price_amount=spec["price_eur"] * 100, price_currency_id="EUR",
            price_pivot=to_pivot(spec["price_eur"] * 100, "EUR"), status="published",
            published_at=None, title=_title(spec, model), description={"en": "For sale."},
        )  # fmt: skip
        ids.append(machine.pk)
    apply_changes({"machine": set(ids)})
    get_client().indices.refresh(index=alias_name(MACHINES))
    saved = [saved_search_create(user=buyer, name=f"s{n}", query=query) for n, query in enumerate(queries)]
    sync_saved_searches([s.pk for s in saved])

    # when every listing is percolated at once
    documents = listing_documents(ids)
    order = sorted(documents)
    matched: dict[int, set[int]] = {s.pk: set() for s in saved}
    for search_id, slot in percolate([documents[i] for i in order]):
        matched[search_id].add(order[slot])

    # then each saved search matched what the search API returns for its query string
    for s in saved:
        found, relaxed = _api_ids(s.query)
        if relaxed:
            event("relaxed")
            assert matched[s.pk] == set(), s.query
            continue
        floored = "q=" in s.query and "sort=relevance" in s.query
        if floored:
            without_floor, _ = _api_ids(s.query.replace("sort=relevance", "sort=newest"))
            assert found <= matched[s.pk], s.query
            if found != without_floor:
                event("the score floor trimmed the relevance order")
            found = without_floor
        event("matches some" if found else "matches none")
        assert matched[s.pk] == found, s.query
