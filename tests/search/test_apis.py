"""GET /api/v1/search/ and /api/v1/search/suggest/ against the real engine over a fixed catalogue."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.redis import get_redis
from events import common_queries
from events.sink import get_sink
from search.selectors import clear_listing_counts
from tests.events.conftest import crafted, events_store  # noqa: F401 - a fixture
from tests.factories import UserFactory
from tests.search.catalogue import ids_of

pytestmark = pytest.mark.django_db


def search(**params: Any) -> Any:
    return APIClient().get("/api/v1/search/", params)


def test_the_response_has_the_documented_shape(search_catalogue: dict[str, int]) -> None:
    response = search(q="PC200-8", lang="en")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "results", "facets", "suggestion", "relaxed", "next_cursor", "language"}
    assert body["relaxed"] is None
    first = body["results"][0]
    assert set(first) == {
        "id",
        "title",
        "highlight",
        "maker",
        "model",
        "year",
        "hours",
        "price",
        "cover_photo",
        "country",
        "region",
        "url",
        "score",
    }
    assert first["id"] == search_catalogue["pc200-en"]
    assert first["url"] == f"/machines/{first['id']}/"
    assert first["price"] == {"amount": "52000.00", "currency": "USD", "minor": 5_200_000}
    assert (first["country"], first["region"]) == ("US", None)  # where the machine is; no region given
    assert "<mark>" in first["highlight"]
    assert set(body["facets"]) == {"category", "maker", "model", "country"}  # spec facets: beside


def test_category_filter_includes_subcategories(search_catalogue: dict[str, int]) -> None:
    excavators = set(ids_of(search(category="excavators", limit=50)))
    minis = set(ids_of(search(category="mini-excavators", limit=50)))

    expected_minis = {search_catalogue["pc30-all"], search_catalogue["u27-en"]}
    assert minis == expected_minis
    assert expected_minis < excavators
    assert search_catalogue["wa320-all"] not in excavators
    assert len(excavators) == 8


def test_filters_combine(search_catalogue: dict[str, int]) -> None:
    assert set(ids_of(search(maker="caterpillar", year_min=2015))) == {
        search_catalogue["950m-en"],
        search_catalogue["d6t-en"],
    }
    assert set(ids_of(search(hours_max=2500))) == {search_catalogue["pc30-all"], search_catalogue["u27-en"]}
    assert set(ids_of(search(country="CN"))) == {search_catalogue["pc200-zh"], search_catalogue["sy215-zh"]}
    assert ids_of(search(model="caterpillar-d6t")) == [search_catalogue["d6t-en"]]
    # 100,000 USD and above, in major units; prices compare in one currency whatever they were listed in
    expensive = set(ids_of(search(price_min="100000", currency="USD", limit=50)))
    assert expensive == {
        search_catalogue[k] for k in ("950m-en", "d6t-en", "ltm-de", "wa320-all")
    }  # €95k ≈ $103k


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("year", "year", False), ("-year", "year", True), ("hours", "hours", False)],
)
def test_sorting(search_catalogue: dict[str, int], sort: str, key: str, reverse: bool) -> None:
    results = search(sort=sort, limit=50).json()["results"]
    values = [result[key] for result in results]
    assert values == sorted(values, reverse=reverse)
    assert len(values) == 12


def test_price_sort_uses_the_common_currency(search_catalogue: dict[str, int]) -> None:
    cheapest_first = ids_of(search(sort="price", limit=50))
    # €24.5k, £29k (≈ €33.9k), CN¥320k (≈ €41.0k), ¥6.8M (≈ €42.2k)
    assert cheapest_first[:4] == [search_catalogue[k] for k in ("pc30-all", "u27-en", "pc200-zh", "pc200-ja")]
    assert cheapest_first[-1] == search_catalogue["ltm-de"]
    assert ids_of(search(sort="-price", limit=50)) == list(reversed(cheapest_first))


def test_offset_paging_and_its_window(search_catalogue: dict[str, int]) -> None:
    everything = ids_of(search(sort="year", limit=50))
    pages = (
        ids_of(search(sort="year", limit=5, offset=0))
        + ids_of(search(sort="year", limit=5, offset=5))
        + ids_of(search(sort="year", limit=5, offset=10))
    )

    assert pages == everything
    too_deep = search(offset=9_990, limit=20)
    assert too_deep.status_code == 422  # each well formed, together past the window
    assert "offset" in too_deep.json()["error"]["fields"]


def test_cursor_paging_walks_every_result_once(search_catalogue: dict[str, int]) -> None:
    seen: list[int] = []
    response = search(sort="newest", limit=5).json()
    while True:
        seen += [result["id"] for result in response["results"]]
        if not response["next_cursor"]:
            break
        response = search(sort="newest", limit=5, cursor=response["next_cursor"]).json()

    assert sorted(seen) == sorted(search_catalogue.values())


def test_facets_are_disjunctive(search_catalogue: dict[str, int]) -> None:
    body = search(maker="kubota", limit=50).json()

    makers = {bucket["key"]: bucket["count"] for bucket in body["facets"]["maker"]}
    # choosing Kubota still shows how many the other makers have
    assert makers == {"komatsu": 5, "caterpillar": 3, "hitachi": 1, "kubota": 1, "liebherr": 1, "sany": 1}
    categories = {bucket["key"]: bucket["count"] for bucket in body["facets"]["category"]}
    assert categories == {
        "excavators": 1,
        "mini-excavators": 1,
    }  # the category facet does apply the maker filter
    assert body["count"] == 1


def test_facet_labels_follow_the_buyer_language(search_catalogue: dict[str, int]) -> None:
    facets = search(lang="ja").json()["facets"]
    labels = {bucket["key"]: bucket["label"] for bucket in facets["maker"]}
    assert labels["komatsu"] == "コマツ"
    assert {bucket["key"]: bucket["label"] for bucket in facets["category"]}[
        "wheel-loaders"
    ] == "ホイールローダー"


def test_the_buyer_language_comes_from_profile_then_parameter_then_header(
    search_catalogue: dict[str, int],
) -> None:
    client = APIClient()
    assert (
        client.get("/api/v1/search/", {"q": "PC200-8"}, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").json()[
            "language"
        ]
        == "zh"
    )
    assert (
        client.get("/api/v1/search/", {"q": "PC200-8", "lang": "ja"}, HTTP_ACCEPT_LANGUAGE="zh").json()[
            "language"
        ]
        == "ja"
    )
    client.force_authenticate(UserFactory.create(primary_language_id="de"))
    assert client.get("/api/v1/search/", {"q": "PC200-8", "lang": "ja"}).json()["language"] == "de"


def test_a_typo_with_few_hits_gets_a_suggestion(search_catalogue: dict[str, int]) -> None:
    body = search(q="bulldozr whel", lang="en").json()
    assert body["count"] < 3
    assert body["suggestion"] == "bulldozer wheel"


def test_autocomplete_completes_makers_and_models(search_catalogue: dict[str, int]) -> None:
    response = APIClient().get("/api/v1/search/suggest/", {"q": "koma", "lang": "en"})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert "Komatsu PC200-8" in suggestions
    assert all(s.lower().startswith("koma") for s in suggestions)
    japanese = APIClient().get("/api/v1/search/suggest/", {"q": "コマツ", "lang": "ja"}).json()["suggestions"]
    assert "コマツ PC200-8 油圧ショベル" in japanese


def completions(prefix: str, lang: str) -> list[dict[str, Any]]:
    response = APIClient().get("/api/v1/search/suggest/", {"q": prefix, "lang": lang})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["suggestions"] == [completion["text"] for completion in body["completions"]]
    return list(body["completions"])


def test_autocomplete_completes_categories_in_the_buyers_language_most_listings_first(
    search_catalogue: dict[str, int],
) -> None:
    english = completions("exca", "en")
    japanese = completions("油圧", "ja")

    named = [c for c in english if c["kind"] != "listing"]
    assert [(c["text"], c["kind"], c["key"]) for c in named] == [
        ("Excavators", "category", "excavators"),
        ("Crawler excavators", "category", "crawler-excavators"),
        ("Mini excavators", "category", "mini-excavators"),
    ]
    for completion in named:  # each count is what the search would find
        assert completion["count"] == search(category=completion["key"]).json()["count"]
    assert [c["count"] for c in named] == sorted((c["count"] for c in named), reverse=True)
    assert ("油圧ショベル", "category", "excavators") in [(c["text"], c["kind"], c["key"]) for c in japanese]


def test_autocomplete_shows_a_models_category_and_how_many_it_finds(search_catalogue: dict[str, int]) -> None:
    found = {c["text"]: c for c in completions("pc20", "en") if c["kind"] == "model"}

    assert found["Komatsu PC200-8"]["category"] == "Crawler excavators"
    assert found["Komatsu PC200-8"]["count"] == search(model="komatsu-pc200-8").json()["count"] > 0
    assert "コマツ PC200-8" in [
        c["text"] for c in completions("\uff50\uff43\uff12\uff10", "ja")
    ]  # full width, folded


def test_autocomplete_completes_whole_queries_of_a_maker_and_a_category(
    search_catalogue: dict[str, int],
) -> None:
    english = [c for c in completions("komatsu", "en") if c["kind"] == "query"]  # a maker in full
    japanese = [
        c for c in completions("\u30b3\u30de\u30c4 \u6cb9", "ja") if c["kind"] == "query"
    ]  # コマツ 油

    assert english[0] == {
        "text": "Komatsu Excavators", "kind": "query", "key": None, "count": 4, "category": "Excavators",
    }  # fmt: skip
    assert [c["count"] for c in english] == sorted((c["count"] for c in english), reverse=True)
    for completion in english:  # each count is what searching its words finds
        assert completion["count"] == search(q=completion["text"], lang="en").json()["count"], completion
    assert [(c["text"], c["count"]) for c in japanese] == [
        ("\u30b3\u30de\u30c4 \u6cb9\u5727\u30b7\u30e7\u30d9\u30eb", 4)
    ]
    assert [c["text"] for c in completions("komatsu w", "en") if c["kind"] == "query"] == [
        "Komatsu Wheel loaders"
    ]
    # part of a name is a name being typed: no whole queries yet
    assert not [c for c in completions("koma", "en") if c["kind"] == "query"]


def searched(
    text: str, found: int, visitor: str, *, language: str = "en", relaxed: bool = False
) -> dict[str, Any]:
    payload = {
        "query": text, "language": language, "filters": {}, "result_count": found, "relaxed": relaxed,
        "latency_ms": 20.0, "page": 1, "result_ids": list(range(1, min(found, 20) + 1)), "channel": "page",
    }  # fmt: skip
    return crafted(
        "buyer_searched_machines", payload, timezone.now() - timedelta(hours=1), visitor_id=visitor
    )


@pytest.mark.usefixtures("events_store")
def test_autocomplete_offers_whole_queries_that_several_buyers_searched_in_their_language(
    search_catalogue: dict[str, int],
) -> None:
    three = ["visitor-a", "visitor-b", "visitor-c"]
    get_sink().write(
        [
            *(searched("Komatsu PC200-8 for sale", 3, who) for who in three),
            *(searched("pc200 with hammer near osaka", 2, "visitor-d") for _ in range(5)),  # one person's
            *(searched("pc200 zzz", 0, who) for who in three),  # found nothing
            *(searched("pc200 blue", 1, who, relaxed=True) for who in three),  # only by dropping a word
            *(searched("pc200 \u4e2d\u53e4", 2, who, language="ja") for who in three),  # another language's
        ]
    )
    try:
        common_queries.refresh(now=timezone.now())
        clear_listing_counts()
        offered = [c for c in completions("pc20", "en") if c["kind"] == "query"]
        japanese = [c["text"] for c in completions("pc20", "ja") if c["kind"] == "query"]
    finally:
        get_redis().delete(common_queries.KEY)
        clear_listing_counts()

    assert offered == [
        {
            "text": "komatsu pc200-8 for sale",
            "kind": "query",
            "key": None,
            "count": 3,
            "category": "Crawler excavators",
        }
    ]
    assert japanese == ["pc200 \u4e2d\u53e4"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"year_min": "nineteen"}, "year_min"),
        ({"cursor": "!!!"}, "cursor"),  # not even the shape of one
        ({"price_min": "5", "currency": "XYZ"}, "currency"),
        ({"price_min": "10000000000000000000"}, "price_min"),
        ({"hours_max": "2147483648"}, "hours_max"),
        ({"lang": "xx"}, "lang"),
        ({"q": "x" * 10_000}, "q"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "10000000"}, "offset"),
        ({"spec.operating_weight.min": "heavy"}, "spec.operating_weight.min"),
        ({"spec.<script>": "1"}, "spec.<script>"),
        ({"spec.operating_weight.min": "1e400"}, "spec.operating_weight.min"),
        ({"category": ["c"] * 21}, "category"),
    ],
)
def test_bad_parameters_are_a_400(
    search_catalogue: dict[str, int], params: dict[str, str], field: str
) -> None:
    response = search(**params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": "1.505", "currency": "EUR"}, "price_min"),  # EUR has two decimal places
        ({"cursor": "WzEyLjUsImFiYyIsN10"}, "cursor"),  # the shape of a cursor, not one it issued
        ({"offset": "9990", "limit": "20"}, "offset"),
    ],
)
def test_well_formed_parameters_the_search_cannot_take_are_a_422(
    search_catalogue: dict[str, int], params: dict[str, str], field: str
) -> None:
    response = search(**params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unprocessable"
    assert set(response.json()["error"]["fields"]) == {field}


def test_an_unreachable_engine_is_a_503_not_a_500_or_a_hang(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{port}"

    response = search(q="excavator")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_autocomplete_ignores_control_characters(search_catalogue: dict[str, int]) -> None:
    """The completion field reserves U+001E and U+001F: typed into the box, they were an error."""
    response = APIClient().get("/api/v1/search/suggest/", {"q": "Koma\x1ftsu\x1e", "lang": "en"})

    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)
