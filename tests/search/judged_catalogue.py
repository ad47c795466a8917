"""The judged catalogue behind tests/search/test_judged_set.py: a few thousand listings drawn from
a seeded `random.Random`, titled and described in English, Japanese, Chinese, German and French.

Every listing keeps the ground truth it was written from (`Truth`: maker, model, series,
category and its parent, the size its text states, year, languages), so the judged set grades
a listing from facts, never from where the search put it. The generator is this module's own,
not the demo seed's: the demo catalogue may change without moving the judged set's marks.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import timezone

from marketplace.models import Category, Machine, MachineModel, Maker, User
from marketplace.money import to_pivot
from search.indices import MACHINES, alias_name
from search.sync import apply_changes

LANGUAGES = ("en", "ja", "zh", "de", "fr")
LISTINGS = 2_400
SEED = 19  # the number: any fixed seed gives a fixed catalogue
MIN_LISTINGS_PER_MODEL = 12  # every model asked for by number has a full first page of its own
NEWEST_YEAR = 2024


@dataclass(frozen=True)
class CategoryPlan:
    """A category, its names, and the nouns sellers use for its machines in each language
    (a listing's title takes one of them). `size` is what its text states in tonnes: the
    operating weight, or a crane's lifting capacity."""

    slug: str
    parent: str | None
    names: dict[str, str]
    nouns: dict[str, tuple[str, ...]]
    size: str = "weight"


def _category(
    slug: str, parent: str | None, names: str, nouns: dict[str, tuple[str, ...]], size: str = "weight"
) -> CategoryPlan:
    return CategoryPlan(slug, parent, dict(zip(LANGUAGES, names.split(" | "), strict=True)), nouns, size)


CATEGORIES = (
    _category("excavators", None, "Excavators | 油圧ショベル | 挖掘机 | Bagger | Pelles hydrauliques", {}),
    _category(
        "mini-excavators",
        "excavators",
        "Mini excavators | ミニショベル | 小型挖掘机 | Minibagger | Mini-pelles",
        {
            "en": ("mini excavator", "compact excavator"),
            "ja": ("ミニショベル", "ミニ油圧ショベル"),
            "zh": ("小型挖掘机", "微型挖掘机"),
            "de": ("Minibagger",),
            "fr": ("mini-pelle",),
        },
    ),
    _category(
        "crawler-excavators",
        "excavators",
        "Crawler excavators | クローラ式油圧ショベル | 履带式挖掘机 | Kettenbagger | Pelles sur chenilles",
        {
            "en": ("excavator", "hydraulic excavator", "crawler excavator"),
            "ja": ("油圧ショベル",),
            "zh": ("挖掘机", "履带式挖掘机"),
            "de": ("Kettenbagger", "Raupenbagger"),
            "fr": ("pelle sur chenilles", "pelle hydraulique"),
        },
    ),
    _category(
        "wheeled-excavators",
        "excavators",
        "Wheeled excavators | ホイール式油圧ショベル | 轮式挖掘机 | Mobilbagger | Pelles sur pneus",
        {
            "en": ("wheeled excavator",),
            "ja": ("ホイール式油圧ショベル",),
            "zh": ("轮式挖掘机",),
            "de": ("Mobilbagger",),
            "fr": ("pelle sur pneus",),
        },
    ),
    _category(
        "mining-excavators",
        "excavators",
        "Mining excavators | 超大型油圧ショベル | 矿用挖掘机 | Minenbagger | Pelles minières",
        {
            "en": ("mining excavator",),
            "ja": ("超大型油圧ショベル",),
            "zh": ("矿用挖掘机",),
            "de": ("Minenbagger",),
            "fr": ("pelle minière",),
        },
    ),
    _category("loaders", None, "Loaders | ローダー | 装载机 | Lader | Chargeuses", {}),
    _category(
        "wheel-loaders",
        "loaders",
        "Wheel loaders | ホイールローダー | 轮式装载机 | Radlader | Chargeuses sur pneus",
        {
            "en": ("wheel loader",),
            "ja": ("ホイールローダー",),
            "zh": ("装载机", "轮式装载机"),
            "de": ("Radlader",),
            "fr": ("chargeuse sur pneus",),
        },
    ),
    _category(
        "skid-steer-loaders",
        "loaders",
        "Skid steer loaders | スキッドステアローダー | 滑移装载机 | Kompaktlader | Chargeuses compactes",
        {
            "en": ("skid steer loader", "skid steer"),
            "ja": ("スキッドステアローダー",),
            "zh": ("滑移装载机",),
            "de": ("Kompaktlader",),
            "fr": ("chargeuse compacte",),
        },
    ),
    _category(
        "backhoe-loaders",
        "loaders",
        "Backhoe loaders | バックホーローダー | 挖掘装载机 | Baggerlader | Tractopelles",
        {
            "en": ("backhoe loader",),
            "ja": ("バックホーローダー",),
            "zh": ("挖掘装载机",),
            "de": ("Baggerlader",),
            "fr": ("tractopelle",),
        },
    ),
    _category("dozers", None, "Dozers | ブルドーザー | 推土机 | Planierraupen | Bouteurs", {}),
    _category(
        "crawler-dozers",
        "dozers",
        "Crawler dozers | クローラ式ブルドーザー | 履带式推土机 | Kettendozer | Bouteurs sur chenilles",
        {
            "en": ("bulldozer", "crawler dozer"),
            "ja": ("ブルドーザー",),
            "zh": ("推土机", "履带式推土机"),
            "de": ("Planierraupe", "Kettendozer"),
            "fr": ("bouteur", "bulldozer"),
        },
    ),
    _category("cranes", None, "Cranes | クレーン | 起重机 | Krane | Grues", {}),
    _category(
        "mobile-cranes",
        "cranes",
        "Mobile cranes | オールテレーンクレーン | 全地面起重机 | Mobilkrane | Grues mobiles",
        {
            "en": ("mobile crane", "all-terrain crane"),
            "ja": ("オールテレーンクレーン",),
            "zh": ("全地面起重机", "汽车起重机"),
            "de": ("Mobilkran", "Autokran"),
            "fr": ("grue mobile",),
        },
        size="capacity",
    ),
    _category(
        "rough-terrain-cranes",
        "cranes",
        "Rough terrain cranes | ラフテレーンクレーン | 越野轮胎起重机 | Geländekrane | Grues tout-terrain",
        {
            "en": ("rough terrain crane",),
            "ja": ("ラフテレーンクレーン",),
            "zh": ("越野轮胎起重机",),
            "de": ("Geländekran",),
            "fr": ("grue tout-terrain",),
        },
        size="capacity",
    ),
    _category(
        "crawler-cranes",
        "cranes",
        "Crawler cranes | クローラクレーン | 履带起重机 | Raupenkrane | Grues sur chenilles",
        {
            "en": ("crawler crane",),
            "ja": ("クローラクレーン",),
            "zh": ("履带起重机",),
            "de": ("Raupenkran",),
            "fr": ("grue sur chenilles",),
        },
        size="capacity",
    ),
    _category("dump-trucks", None, "Dump trucks | ダンプトラック | 自卸车 | Muldenkipper | Tombereaux", {}),
    _category(
        "articulated-dump-trucks",
        "dump-trucks",
        "Articulated dump trucks | アーティキュレートダンプ | 铰接式自卸车 | Knickgelenkte Dumper | Tombereaux articulés",
        {
            "en": ("articulated dump truck", "articulated hauler"),
            "ja": ("アーティキュレートダンプ",),
            "zh": ("铰接式自卸车",),
            "de": ("Dumper",),
            "fr": ("tombereau articulé",),
        },
    ),
    _category("compaction", None, "Compaction | 締固め機械 | 压实机械 | Verdichtung | Compactage", {}),
    _category(
        "rollers",
        "compaction",
        "Rollers | 振動ローラー | 压路机 | Walzen | Compacteurs",
        {
            "en": ("single drum roller", "soil compactor"),
            "ja": ("振動ローラー",),
            "zh": ("压路机", "单钢轮压路机"),
            "de": ("Walzenzug",),
            "fr": ("compacteur monocylindre",),
        },
    ),
)
CATEGORY = {category.slug: category for category in CATEGORIES}


@dataclass(frozen=True)
class MakerPlan:
    slug: str
    name: str
    names: dict[str, str]  # Japanese and Chinese names; the Latin one is `name`


MAKERS = tuple(
    MakerPlan(slug, name, {"ja": ja, "zh": zh})
    for slug, name, ja, zh in (
        ("komatsu", "Komatsu", "コマツ", "小松"),
        ("caterpillar", "Caterpillar", "キャタピラー", "卡特彼勒"),
        ("hitachi", "Hitachi", "日立建機", "日立"),
        ("kobelco", "Kobelco", "コベルコ", "神钢"),
        ("kubota", "Kubota", "クボタ", "久保田"),
        ("takeuchi", "Takeuchi", "竹内製作所", "竹内"),
        ("yanmar", "Yanmar", "ヤンマー", "洋马"),
        ("volvo", "Volvo", "ボルボ", "沃尔沃"),
        ("liebherr", "Liebherr", "リープヘル", "利勃海尔"),
        ("jcb", "JCB", "JCB", "杰西博"),
        ("doosan", "Doosan", "斗山", "斗山"),
        ("hyundai", "Hyundai", "ヒュンダイ", "现代"),
        ("sany", "Sany", "三一重工", "三一"),
        ("xcmg", "XCMG", "徐工", "徐工"),
        ("case", "Case", "ケース", "凯斯"),
        ("john-deere", "John Deere", "ジョンディア", "约翰迪尔"),
        ("bobcat", "Bobcat", "ボブキャット", "山猫"),
        ("tadano", "Tadano", "タダノ", "多田野"),
        ("kato", "Kato", "加藤製作所", "加藤"),
        ("bomag", "Bomag", "ボーマグ", "宝马格"),
        ("sakai", "Sakai", "酒井重工業", "酒井"),
    )
)
MAKER = {maker.slug: maker for maker in MAKERS}


@dataclass(frozen=True)
class ModelPlan:
    """A model as its maker catalogues it. `tonnes` is the size its listings state (operating
    weight, or lifting capacity for cranes); `series` is the model number without its
    generation ("PC200" for PC200-8 and PC200-10, but not PC2000-8)."""

    maker: str
    number: str
    category: str
    tonnes: float
    years: tuple[int, int]
    popularity: float

    @property
    def series(self) -> str:
        return series_of(self.number)


# Model numbers that are a number and letters with no series of their own: JCB's 3CX and 4CX
# are two models, not two generations of a "3" and a "4".
WHOLE_MODEL_NUMBERS = frozenset({"3CX", "4CX"})


def series_of(number: str) -> str:
    """Its letters then its digits, a space or dash between them folded away: "PC200-8" →
    "PC200", "R 920" → "R920", "GR-250N" → "GR250", "320D" → "320"."""
    if number.upper() in WHOLE_MODEL_NUMBERS:
        return number.upper()
    match = re.match(r"[A-Z]*[\s\-]?\d+", number.upper())
    return re.sub(r"[\s\-]", "", match.group() if match else number.upper())


def _models(rows: str) -> tuple[ModelPlan, ...]:
    """One model a line: maker | number | category | tonnes | first-last year | popularity."""
    models = []
    for line in rows.strip().splitlines():
        maker, number, category, tonnes, years, popularity = (part.strip() for part in line.split("|"))
        first, last = years.split("-")
        models.append(
            ModelPlan(maker, number, category, float(tonnes), (int(first), int(last)), float(popularity))
        )
    return tuple(models)


MODELS = _models(
    """
    komatsu | PC200-8 | crawler-excavators | 19.9 | 2006-2013 | 6
    komatsu | PC200-10 | crawler-excavators | 20.1 | 2013-2019 | 5
    komatsu | PC210LC-10 | crawler-excavators | 22.0 | 2013-2019 | 2
    komatsu | PC228US-10 | crawler-excavators | 23.5 | 2013-2019 | 1.5
    komatsu | PC300-8 | crawler-excavators | 31.0 | 2007-2014 | 1.5
    komatsu | PC2000-8 | mining-excavators | 200 | 2005-2020 | 0.5
    komatsu | PC30MR-5 | mini-excavators | 3.0 | 2014-2024 | 2
    komatsu | PC55MR-5 | mini-excavators | 5.3 | 2014-2024 | 1.5
    komatsu | PW160-10 | wheeled-excavators | 17.0 | 2015-2024 | 1
    komatsu | WA320-8 | wheel-loaders | 15.0 | 2018-2024 | 2
    komatsu | WA380-8 | wheel-loaders | 18.5 | 2018-2024 | 1.5
    komatsu | WA470-8 | wheel-loaders | 24.0 | 2016-2024 | 1
    komatsu | D61PX-24 | crawler-dozers | 19.0 | 2016-2024 | 1
    komatsu | D155AX-8 | crawler-dozers | 40.0 | 2016-2024 | 0.5
    komatsu | HM300-5 | articulated-dump-trucks | 23.0 | 2015-2024 | 0.8
    caterpillar | 320D | crawler-excavators | 20.7 | 2006-2014 | 5
    caterpillar | 320 | crawler-excavators | 22.5 | 2017-2024 | 3
    caterpillar | 336 | crawler-excavators | 37.0 | 2017-2024 | 1.5
    caterpillar | 301.7 CR | mini-excavators | 1.8 | 2019-2024 | 1
    caterpillar | 305 CR | mini-excavators | 5.1 | 2019-2024 | 1
    caterpillar | M318F | wheeled-excavators | 19.0 | 2014-2024 | 1
    caterpillar | 950M | wheel-loaders | 18.7 | 2014-2024 | 2.5
    caterpillar | 966M | wheel-loaders | 23.5 | 2014-2024 | 1.5
    caterpillar | 262D | skid-steer-loaders | 3.6 | 2013-2020 | 1
    caterpillar | 432F | backhoe-loaders | 8.5 | 2014-2021 | 1
    caterpillar | D6T | crawler-dozers | 23.0 | 2008-2019 | 2.5
    caterpillar | D8T | crawler-dozers | 38.5 | 2008-2024 | 1
    caterpillar | 745 | articulated-dump-trucks | 33.0 | 2015-2024 | 0.8
    caterpillar | CS56B | rollers | 11.5 | 2015-2024 | 0.8
    hitachi | ZX200-5G | crawler-excavators | 20.0 | 2012-2017 | 3
    hitachi | ZX350LC-6 | crawler-excavators | 35.0 | 2017-2024 | 1
    hitachi | ZX30U-5 | mini-excavators | 3.0 | 2014-2024 | 1
    hitachi | ZX170W-5 | wheeled-excavators | 18.0 | 2013-2020 | 0.8
    hitachi | ZW220-6 | wheel-loaders | 17.5 | 2017-2024 | 0.8
    kobelco | SK200-10 | crawler-excavators | 20.0 | 2011-2019 | 2
    kobelco | SK350LC-10 | crawler-excavators | 35.0 | 2011-2019 | 1
    kobelco | SK17SR-5 | mini-excavators | 1.7 | 2014-2024 | 1
    kubota | U27-4 | mini-excavators | 2.7 | 2011-2024 | 2
    kubota | KX057-5 | mini-excavators | 5.5 | 2020-2024 | 1.5
    kubota | U10-5 | mini-excavators | 1.1 | 2015-2024 | 1
    kubota | SSV75 | skid-steer-loaders | 4.0 | 2015-2024 | 0.8
    takeuchi | TB216 | mini-excavators | 1.8 | 2012-2024 | 1
    takeuchi | TB260 | mini-excavators | 5.8 | 2016-2024 | 1
    yanmar | ViO17 | mini-excavators | 1.7 | 2012-2024 | 1
    yanmar | ViO55-6 | mini-excavators | 5.2 | 2015-2024 | 1
    volvo | EC220E | crawler-excavators | 22.5 | 2015-2024 | 2
    volvo | EC480E | crawler-excavators | 48.0 | 2015-2024 | 0.8
    volvo | ECR25D | mini-excavators | 2.5 | 2014-2024 | 1
    volvo | EW160E | wheeled-excavators | 16.5 | 2015-2024 | 1
    volvo | L120H | wheel-loaders | 20.0 | 2016-2024 | 1.5
    volvo | L150H | wheel-loaders | 25.0 | 2016-2024 | 1
    volvo | A30G | articulated-dump-trucks | 24.0 | 2016-2024 | 1
    liebherr | R 920 | crawler-excavators | 20.0 | 2016-2024 | 1
    liebherr | R 926 | crawler-excavators | 26.0 | 2013-2024 | 1
    liebherr | A 918 Compact | wheeled-excavators | 19.0 | 2013-2024 | 1
    liebherr | L 550 | wheel-loaders | 13.0 | 2012-2024 | 1
    liebherr | LTM 1050-3.1 | mobile-cranes | 50 | 2005-2020 | 1
    liebherr | LTM 1100-5.2 | mobile-cranes | 100 | 2008-2024 | 0.8
    liebherr | LR 1300 | crawler-cranes | 300 | 2010-2024 | 0.5
    jcb | 3CX | backhoe-loaders | 8.0 | 2010-2024 | 2
    jcb | 4CX | backhoe-loaders | 8.8 | 2010-2024 | 1
    jcb | JS220 | crawler-excavators | 22.0 | 2010-2020 | 1
    jcb | 8018 CTS | mini-excavators | 1.8 | 2013-2024 | 1
    doosan | DX225LC-5 | crawler-excavators | 22.0 | 2014-2021 | 1
    hyundai | HX220L | crawler-excavators | 22.0 | 2017-2024 | 1
    sany | SY215C | crawler-excavators | 21.5 | 2012-2024 | 2
    sany | SY75C | crawler-excavators | 7.5 | 2012-2024 | 1.5
    sany | SY365H | crawler-excavators | 36.5 | 2014-2024 | 1
    xcmg | XE215C | crawler-excavators | 21.5 | 2012-2020 | 1
    xcmg | LW500FN | wheel-loaders | 17.0 | 2012-2024 | 1
    xcmg | QY25K5 | mobile-cranes | 25 | 2012-2024 | 1
    case | CX210D | crawler-excavators | 21.5 | 2015-2024 | 1
    case | 580ST | backhoe-loaders | 7.5 | 2012-2024 | 1
    case | SV340 | skid-steer-loaders | 4.8 | 2015-2024 | 0.8
    john-deere | 210G | crawler-excavators | 21.0 | 2014-2024 | 1
    john-deere | 310SL | backhoe-loaders | 7.5 | 2014-2024 | 1
    john-deere | 850K | crawler-dozers | 20.0 | 2010-2020 | 1
    bobcat | E35z | mini-excavators | 3.5 | 2016-2024 | 1
    bobcat | S650 | skid-steer-loaders | 3.9 | 2013-2024 | 1.5
    tadano | GR-250N | rough-terrain-cranes | 25 | 2010-2024 | 1.5
    tadano | GR-600N | rough-terrain-cranes | 60 | 2010-2024 | 0.8
    tadano | ATF 100G-4 | mobile-cranes | 100 | 2012-2024 | 0.6
    kato | KR-25H-V | rough-terrain-cranes | 25 | 2008-2020 | 1
    bomag | BW 213 D-5 | rollers | 13.0 | 2012-2024 | 1
    bomag | BW 177 D-5 | rollers | 7.5 | 2012-2024 | 0.8
    sakai | SV512 | rollers | 11.0 | 2010-2024 | 0.8
    """
)
MODEL = {model.number: model for model in MODELS}


@dataclass(frozen=True)
class Market:
    """Where a seller lists: the country, its currency, and the title languages a listing
    from there is written in, with their odds."""

    country: str
    currency: str
    weight: float
    languages: tuple[tuple[tuple[str, ...], float], ...]


MARKETS = (
    Market("JP", "JPY", 4, ((("ja",), 6), (("ja", "en"), 3), (("en", "ja", "zh"), 1))),
    Market("CN", "CNY", 3, ((("zh",), 7), (("zh", "en"), 3))),
    Market("DE", "EUR", 2.5, ((("de",), 6), (("de", "en"), 3), (("de", "en", "fr"), 1))),
    Market("FR", "EUR", 2, ((("fr",), 7), (("fr", "en"), 3))),
    Market("US", "USD", 3, ((("en",), 1),)),
    Market("GB", "GBP", 1, ((("en",), 1),)),
    Market("NL", "EUR", 1, ((("en", "de", "fr"), 1), (("en", "de", "fr", "ja", "zh"), 1))),
)
# Minor units of the currency per euro: a price needs only to be plausible, not exact.
MINOR_PER_EURO = {"JPY": 160, "CNY": 780, "EUR": 100, "USD": 108, "GBP": 86}
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and CJK ideographs


@dataclass(frozen=True)
class Truth:
    """What the generator knows of one listing: everything a judgement may read."""

    key: int
    maker: str  # slug
    model: str  # model number
    series: str
    category: str  # leaf slug
    parent: str  # the leaf's parent slug
    size: str  # "weight" or "capacity"
    tonnes: float
    year: int
    hours: int
    country: str
    languages: tuple[str, ...]  # languages of its title
    mixed_script: bool  # a title in Latin letters and kana or ideographs: "コマツ PC200-8 油圧ショベル"
    title: dict[str, str]
    description: dict[str, str]


def _decimal(value: float, language: str) -> str:
    """A size as sellers in `language` write it: one decimal at most, a comma in German and French."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if language in ("de", "fr") else text


def _size_class(tonnes: float) -> int:
    """The class a seller names a machine by ("20-ton class"): from 10 t up the nearest
    multiple of 5 (a 19.9 t PC200 and a 21.5 t SY215 are both 20-ton excavators), below it
    the nearest whole tonne; halves round up."""
    step = 5 if tonnes >= 10 else 1
    return int(tonnes / step + 0.5) * step


def _size_sentence(truth_size: str, tonnes: float, language: str, rng: random.Random) -> str:
    value = _decimal(tonnes, language)
    if truth_size == "capacity":
        return {
            "en": f"Max. lifting capacity {value} t.",
            "ja": f"最大吊上能力{value}t。",
            "zh": f"最大起重量{value}吨。",
            "de": f"Max. Traglast {value} t.",
            "fr": f"Capacité de levage {value} t.",
        }[language]
    if tonnes >= 1.5 and rng.random() < 0.5:
        size_class = _size_class(tonnes)
        return {
            "en": f"{size_class}-ton class.",
            "ja": f"{size_class}トンクラス。",
            "zh": f"{size_class}吨级。",
            "de": f"{size_class}-Tonnen-Klasse.",
            "fr": f"Classe {size_class} tonnes.",
        }[language]
    return {
        "en": f"Operating weight {value} t.",
        "ja": f"運転質量{value}t。",
        "zh": f"工作重量{value}吨。",
        "de": f"Einsatzgewicht {value} t.",
        "fr": f"Poids en ordre de marche {value} t.",
    }[language]


CONDITION = {
    "en": ("Good condition, regularly serviced.", "Ready to work.", "Paint faded, mechanically sound."),
    "ja": ("整備済み、状態良好です。", "すぐに稼働できます。", "塗装に色あせあり、機関良好。"),
    "zh": ("车况良好, 定期保养。", "可直接上工。", "油漆褪色, 机械状况良好。"),
    "de": (
        "Guter Zustand, scheckheftgepflegt.",
        "Sofort einsatzbereit.",
        "Lack verblasst, technisch einwandfrei.",
    ),
    "fr": ("Bon état, entretien régulier.", "Prête à travailler.", "Peinture passée, mécanique saine."),
}
HOURS = {
    "en": "{hours:,} hours on the meter.",
    "ja": "稼働時間{hours}時間。",
    "zh": "工作小时{hours}小时。",
    "de": "{hours} Betriebsstunden.",
    "fr": "{hours} heures au compteur.",
}
# A few listings mention another kind of machine ("can go with the matching excavator"): the
# obvious-but-wrong matches a ranking must keep below listings of that kind.
ALSO_FOR_SALE = {
    "en": "Matching {noun} also for sale.",
    "ja": "{noun}も同時に出品中。",
    "zh": "另有{noun}出售。",
    "de": "Passender {noun} ebenfalls im Angebot.",
    "fr": "{noun} assortie également en vente.",
}


def _title(language: str, model: ModelPlan, year: int, hours: int, rng: random.Random) -> str:
    """One title in `language`, in one of the shapes sellers write (some Japanese and Chinese
    sellers give the maker's Latin name: "KOMATSU PC200-8 油圧ショベル")."""
    maker = MAKER[model.maker]
    noun = rng.choice(CATEGORY[model.category].nouns[language])
    number, name = model.number, maker.name
    size = _size_class(model.tonnes)
    sized = model.tonnes >= 6
    if language == "en":
        options = [f"{year} {name} {number} {noun}", f"{name} {number} {noun}, {hours:,} hrs"]
        if sized:
            options.append(f"Used {name} {number} {noun} {size} ton")
        return rng.choice(options)
    if language == "ja":
        local = maker.names["ja"]
        options = [f"{local} {number} {noun} {year}年式", f"{local} {number} {noun} {hours}時間"]
        if sized:
            options.append(f"{local} {number} {noun} {size}トンクラス")
        if rng.random() < 0.3:
            return f"{name.upper()} {number} {noun} {year}年式"
        return rng.choice(options)
    if language == "zh":
        local = maker.names["zh"]
        options = [f"{year}年 {local} {number} {noun}", f"二手{local}{number}{noun}"]
        if sized:
            options.append(f"{local} {number} {size}吨 {noun}")
        if rng.random() < 0.3:
            return f"{name} {number} {noun} {year}年"
        return rng.choice(options)
    if language == "de":
        return rng.choice([f"{name} {number} {noun}, Baujahr {year}", f"{noun} {name} {number} - {hours} Bh"])
    return rng.choice([f"{noun} {name} {number} de {year}", f"{name} {number} {noun}, {hours} h"])


def _description(
    language: str, model: ModelPlan, hours: int, rng: random.Random, distractor: str | None
) -> str:
    separator = " " if language in ("en", "de", "fr") else ""
    sentences = [
        _size_sentence(CATEGORY[model.category].size, model.tonnes, language, rng),
        HOURS[language].format(hours=hours),
        rng.choice(CONDITION[language]),
    ]
    if distractor is not None:
        noun = CATEGORY[distractor].nouns[language][0]
        sentence = ALSO_FOR_SALE[language].format(noun=noun)
        sentences.append(sentence[0].upper() + sentence[1:])
    return separator.join(sentences)


def _listing(key: int, model: ModelPlan, rng: random.Random) -> Truth:
    market = rng.choices(MARKETS, weights=[market.weight for market in MARKETS])[0]
    languages = rng.choices(
        [languages for languages, _ in market.languages], weights=[odds for _, odds in market.languages]
    )[0]
    first, last = model.years
    year = rng.randint(first, min(last, NEWEST_YEAR))
    hours = max(50, (NEWEST_YEAR + 1 - year) * rng.randrange(300, 1500, 10))
    titles = {language: _title(language, model, year, hours, rng) for language in languages}
    if market.country == "JP" and "en" in titles and rng.random() < 0.3:
        # exporters in Japan add the Japanese noun to the English title for buyers who search in it
        titles["en"] += " " + CATEGORY[model.category].nouns["ja"][0]
    others = [slug for slug, category in CATEGORY.items() if category.nouns and slug != model.category]
    distractor = rng.choice(others) if rng.random() < 0.1 else None
    described = languages if rng.random() < 0.7 else languages[:1]
    category = CATEGORY[model.category]
    return Truth(
        key=key,
        maker=model.maker,
        model=model.number,
        series=model.series,
        category=model.category,
        parent=category.parent or category.slug,
        size=category.size,
        tonnes=model.tonnes,
        year=year,
        hours=hours,
        country=market.country,
        languages=languages,
        mixed_script=any(LATIN.search(title) and CJK.search(title) for title in titles.values()),
        title=titles,
        description={
            language: _description(language, model, hours, rng, distractor) for language in described
        },
    )


@cache
def generate(count: int = LISTINGS, seed: int = SEED) -> tuple[Truth, ...]:
    """The catalogue: the same `count` listings for the same `seed`, every model listed at
    least MIN_LISTINGS_PER_MODEL times and the rest drawn by the models' popularity."""
    rng = random.Random(seed)
    models = [model for model in MODELS for _ in range(MIN_LISTINGS_PER_MODEL)]
    models += rng.choices(MODELS, weights=[model.popularity for model in MODELS], k=count - len(models))
    rng.shuffle(models)
    return tuple(_listing(key, model, rng) for key, model in enumerate(models))


def _price(truth: Truth, currency: str, rng: random.Random) -> int:
    euros = truth.tonnes * rng.uniform(2_000, 6_000) * max(0.3, 1 - (NEWEST_YEAR - truth.year) * 0.05)
    return max(1, int(euros * MINOR_PER_EURO[currency]))


def build_judged_catalogue(seller: User, listings: Iterable[Truth]) -> dict[int, int]:
    """Writes the taxonomy and the listings to PostgreSQL in bulk, indexes them and refreshes
    the index; returns listing key → machine id. The graph is left alone: text searches
    without category or spec filters never ask it."""
    from search.client import get_client

    parents = Category.objects.bulk_create(
        Category(slug=category.slug, names=category.names, path=category.slug, depth=0)
        for category in CATEGORIES
        if category.parent is None
    )
    parent_by_slug = {category.slug: category for category in parents}
    children = Category.objects.bulk_create(
        Category(
            slug=category.slug,
            parent=parent_by_slug[category.parent],
            names=category.names,
            path=f"{category.parent}/{category.slug}",
            depth=1,
        )
        for category in CATEGORIES
        if category.parent is not None
    )
    categories = {category.slug: category for category in [*parents, *children]}
    makers = {
        maker.slug: maker
        for maker in Maker.objects.bulk_create(
            Maker(slug=plan.slug, name=plan.name, names=plan.names) for plan in MAKERS
        )
    }
    models = {
        model.model_number: model
        for model in MachineModel.objects.bulk_create(
            MachineModel(
                maker=makers[plan.maker],
                category=categories[plan.category],
                model_number=plan.number,
                slug=re.sub(r"[^a-z0-9]+", "-", f"{plan.maker} {plan.number}".lower()).strip("-"),
                production_start=plan.years[0],
            )
            for plan in MODELS
        )
    }
    rng = random.Random(SEED)
    currency = {market.country: market.currency for market in MARKETS}
    now = timezone.now()
    rows: list[tuple[int, Machine]] = []
    for truth in listings:
        amount = _price(truth, currency[truth.country], rng)
        machine = Machine(
            seller=seller,
            model=models[truth.model],
            year=truth.year,
            hours=truth.hours,
            country_id=truth.country,
            price_amount=amount,
            price_currency_id=currency[truth.country],
            price_pivot=to_pivot(amount, currency[truth.country]),
            status="published",
            published_at=now,
            title=truth.title,
            description=truth.description,
        )
        rows.append((truth.key, machine))
    Machine.objects.bulk_create([machine for _, machine in rows], batch_size=500)
    ids = {key: machine.pk for key, machine in rows}
    apply_changes({"machine": set(ids.values())})
    get_client().indices.refresh(index=alias_name(MACHINES))
    return ids


def remove_judged_catalogue() -> None:
    """Deletes what `build_judged_catalogue` wrote (the index goes with the next fresh one)."""
    Machine.objects.filter(model__slug__in=_model_slugs()).delete()
    MachineModel.objects.filter(slug__in=_model_slugs()).delete()
    Maker.objects.filter(slug__in=MAKER).delete()
    Category.objects.filter(slug__in=CATEGORY, parent__isnull=False).delete()
    Category.objects.filter(slug__in=CATEGORY).delete()


def _model_slugs() -> list[str]:
    return [re.sub(r"[^a-z0-9]+", "-", f"{plan.maker} {plan.number}".lower()).strip("-") for plan in MODELS]


def describe(listings: Iterable[Truth]) -> dict[str, Any]:
    """Counts of the catalogue for the test's report: listings, per title language, one-
    language listings, mixed-script titles."""
    listings = list(listings)
    per_language = {
        language: sum(language in truth.languages for truth in listings) for language in LANGUAGES
    }
    return {
        "listings": len(listings),
        "per_language": per_language,
        "one_language": sum(len(truth.languages) == 1 for truth in listings),
        "mixed_script": sum(truth.mixed_script for truth in listings),
    }
