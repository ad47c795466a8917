"""A small fixed catalogue for search tests: listings in English, Japanese and Chinese, some in
one language only, so language boosting and cross-language matching can be asserted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from graph.sync import apply_changes as graph_apply_changes
from marketplace.models import Category, Machine, MachineModel, Maker, User
from marketplace.money import to_pivot
from search.indices import MACHINES, alias_name
from search.sync import apply_changes

CATEGORIES = [
    ("excavators", None, {"en": "Excavators", "ja": "油圧ショベル", "zh": "挖掘机"}),
    ("mini-excavators", "excavators", {"en": "Mini excavators", "ja": "ミニショベル", "zh": "小型挖掘机"}),
    (
        "crawler-excavators",
        "excavators",
        {"en": "Crawler excavators", "ja": "クローラ式油圧ショベル", "zh": "履带式挖掘机"},
    ),
    ("loaders", None, {"en": "Loaders", "ja": "ローダー", "zh": "装载机"}),
    ("wheel-loaders", "loaders", {"en": "Wheel loaders", "ja": "ホイールローダー", "zh": "轮式装载机"}),
    ("dozers", None, {"en": "Dozers", "ja": "ブルドーザー", "zh": "推土机"}),
    ("cranes", None, {"en": "Cranes", "ja": "クレーン", "zh": "起重机"}),
]
MAKERS = [
    ("komatsu", "Komatsu", {"ja": "コマツ", "zh": "小松"}),
    ("caterpillar", "Caterpillar", {"ja": "キャタピラー", "zh": "卡特彼勒"}),
    ("hitachi", "Hitachi", {"ja": "日立建機", "zh": "日立"}),
    ("kubota", "Kubota", {"ja": "クボタ", "zh": "久保田"}),
    ("liebherr", "Liebherr", {}),
    ("sany", "Sany", {"zh": "三一"}),
]
MODELS = [
    ("komatsu", "PC200-8", "crawler-excavators"),
    ("komatsu", "PC30MR-5", "mini-excavators"),
    ("caterpillar", "320D", "crawler-excavators"),
    ("hitachi", "ZX200-5G", "crawler-excavators"),
    ("kubota", "U27-4", "mini-excavators"),
    ("komatsu", "WA320-8", "wheel-loaders"),
    ("caterpillar", "950M", "wheel-loaders"),
    ("caterpillar", "D6T", "dozers"),
    ("liebherr", "LTM1050-3.1", "cranes"),
    ("sany", "SY215C", "crawler-excavators"),
]


@dataclass(frozen=True)
class Listing:
    key: str
    model: str
    year: int
    hours: int
    price: tuple[int, str]
    country: str
    title: dict[str, str]
    description: dict[str, str]


LISTINGS = [
    Listing(
        "pc200-en",
        "PC200-8",
        2014,
        9100,
        (5_200_000, "USD"),
        "US",
        {"en": "Komatsu PC200-8 hydraulic excavator"},
        {"en": "Crawler excavator with hammer piping, new undercarriage."},
    ),
    Listing(
        "pc200-ja",
        "PC200-8",
        2015,
        8400,
        (6_800_000, "JPY"),
        "JP",
        {"ja": "コマツ PC200-8 油圧ショベル"},
        {"ja": "配管付き、足回り良好の油圧ショベルです。"},
    ),
    Listing(
        "pc200-zh",
        "PC200-8",
        2013,
        10200,
        (32_000_000, "CNY"),
        "CN",
        {"zh": "小松 PC200-8 挖掘机"},
        {"zh": "二手挖掘机, 车况良好, 原版发动机。"},
    ),
    Listing(
        "pc30-all",
        "PC30MR-5",
        2019,
        2100,
        (2_450_000, "EUR"),
        "DE",
        {
            "en": "Komatsu PC30MR-5 mini excavator",
            "ja": "コマツ PC30MR-5 ミニショベル",
            "zh": "小松 PC30MR-5 小型挖掘机",
        },
        {"en": "Compact excavator, rubber tracks, three buckets."},
    ),
    Listing(
        "320d-en",
        "320D",
        2012,
        11800,
        (6_100_000, "USD"),
        "US",
        {"en": "Caterpillar 320D excavator"},
        {"en": "Tracked excavator, thumb, auxiliary hydraulics."},
    ),
    Listing(
        "zx200-ja",
        "ZX200-5G",
        2016,
        7300,
        (7_900_000, "JPY"),
        "JP",
        {"ja": "日立 ZX200-5G 油圧ショベル", "en": "Hitachi ZX200-5G excavator"},
        {"ja": "整備記録あり。"},
    ),
    Listing(
        "u27-en",
        "U27-4",
        2020,
        900,
        (2_900_000, "GBP"),
        "GB",
        {"en": "Kubota U27-4 mini excavator, low hours"},
        {"en": "Zero tail swing compact excavator."},
    ),
    Listing(
        "wa320-all",
        "WA320-8",
        2018,
        5200,
        (9_500_000, "EUR"),
        "NL",
        {"en": "Komatsu WA320-8 wheel loader", "ja": "コマツ WA320-8 ホイールローダー"},
        {"en": "Wheel loader with quick coupler and forks."},
    ),
    Listing(
        "950m-en",
        "950M",
        2017,
        6400,
        (14_500_000, "USD"),
        "US",
        {"en": "Caterpillar 950M wheel loader"},
        {"en": "Front loader, ride control, scale."},
    ),
    Listing(
        "d6t-en",
        "D6T",
        2015,
        8800,
        (12_900_000, "USD"),
        "CA",
        {"en": "Caterpillar D6T bulldozer"},
        {"en": "Crawler tractor with ripper and semi-U blade."},
    ),
    Listing(
        "ltm-de",
        "LTM1050-3.1",
        2011,
        14000,
        (31_000_000, "EUR"),
        "DE",
        {"en": "Liebherr LTM1050-3.1 mobile crane", "de": "Liebherr LTM1050-3.1 Mobilkran"},
        {"de": "Gepflegter Kran mit Bagger-Transportgenehmigung."},
    ),
    Listing(
        "sy215-zh",
        "SY215C",
        2019,
        4100,
        (45_000_000, "CNY"),
        "CN",
        {"zh": "三一 SY215C 挖掘机 出售"},
        {"zh": "挖土机, 低小时, 一手车。"},
    ),
]


def build_catalogue(seller: User) -> dict[str, int]:
    """Writes the catalogue to PostgreSQL and the search index; returns listing key → machine id."""
    categories: dict[str, Category] = {}
    for slug, parent, names in CATEGORIES:
        parent_category = categories.get(parent) if parent else None
        categories[slug] = Category.objects.create(
            slug=slug,
            parent=parent_category,
            names=names,
            path=f"{parent_category.path}/{slug}" if parent_category else slug,
            depth=1 if parent_category else 0,
        )
    makers = {slug: Maker.objects.create(slug=slug, name=name, names=names) for slug, name, names in MAKERS}
    models = {
        number: MachineModel.objects.create(
            maker=makers[maker],
            category=categories[category],
            model_number=number,
            slug=f"{maker}-{number.lower()}",
        )
        for maker, number, category in MODELS
    }
    ids: dict[str, int] = {}
    for listing in LISTINGS:
        amount, currency = listing.price
        machine = Machine.objects.create(
            seller=seller,
            model=models[listing.model],
            year=listing.year,
            hours=listing.hours,
            country_id=listing.country,
            price_amount=amount,
            price_currency_id=currency,
            price_pivot=to_pivot(amount, currency),
            status="published",
            published_at=timezone.now(),
            title=listing.title,
            description=listing.description,
        )
        ids[listing.key] = machine.pk
    apply_changes({"machine": set(ids.values())})
    from search.client import get_client

    get_client().indices.refresh(index=alias_name(MACHINES))
    # The search API takes its facet counts from the graph: project the catalogue there too,
    # into an empty graph (transactional tests leave no rows behind, but the graph keeps nodes).
    empty_graph()
    graph_apply_changes({"machine": set(ids.values())})
    return ids


def empty_graph() -> None:
    from graph.client import run_query

    run_query("MATCH (n) DETACH DELETE n")


def remove_catalogue() -> None:
    empty_graph()
    Machine.objects.all().delete()
    MachineModel.objects.all().delete()
    Maker.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


def fresh_machine_index() -> str:
    """Drop every test machine index and start an empty one behind the alias; the facet labels
    and listing counts read for the last one's catalogue are forgotten with it (each test builds its own)."""
    from search.client import get_client
    from search.indices import ensure_index
    from search.selectors import clear_listing_counts
    from search.shaping import clear_label_cache

    clear_label_cache()
    clear_listing_counts()
    client = get_client()
    client.indices.delete(index=f"{alias_name(MACHINES)}-v*", ignore=[404])
    return ensure_index(MACHINES)


def ids_of(response: Any) -> list[int]:
    return [result["id"] for result in response.json()["results"]]
