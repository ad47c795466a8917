"""The judged relevance set of issue #19: over two hundred queries in English, Japanese, Chinese,
German and French against a generated catalogue of a few thousand listings
(tests/search/judged_catalogue.py), asked through the search API as a buyer types them.

Judgements come from the catalogue's ground truth by the rules below (one per class of
query), never from what the search returned: a query says what the buyer means (`Want`), and
its class's rule grades every listing 0-3 from the facts the generator wrote it from.

Figures, per class and overall, printed with the test's output:
* nDCG@10: gains 2^grade - 1, discount log2(rank + 1); the ideal ranking is the best ten
  grades the rule gives anywhere in the catalogue, found or not.
* MRR: the reciprocal rank of the first relevant result (grade >= 1) in the top ten, 0 if
  none. MRR-top is the same for the first result with the query's best grade.
* P@5: results graded >= 1 among the first five, over 5 whatever the query's pool.
* Zero-result rate: queries answered with no result at all.
The marks: nDCG@10 >= 0.90 overall and >= 0.80 in every class, no zero-result query, and no
hard negative's decoy above a right listing in its first page.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.search.judged_catalogue import (
    LANGUAGES,
    MODEL,
    Truth,
    build_judged_catalogue,
    describe,
    generate,
    remove_judged_catalogue,
)

pytestmark = pytest.mark.django_db

NDCG_OVERALL = 0.90
NDCG_PER_CLASS = 0.80
K = 10


@dataclass(frozen=True)
class Want:
    """What the buyer means, in the catalogue's terms; None is "any"."""

    model: str | None = None  # a model number as catalogued: "PC200-8"
    series: str | None = None  # a model series: "PC200" is PC200-8 and PC200-10, not PC2000-8
    maker: str | None = None  # maker slug
    category: str | None = None  # category slug, a leaf or a parent (its every leaf)
    tonnes: float | None = None  # the size the text states: operating weight, crane capacity
    year: int | None = None


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    lang: str
    want: Want
    decoy: Want | None = None  # hard negatives: the obvious-but-wrong listings


# ------------------------------------------------------------------ judgement rules


def in_category(truth: Truth, slug: str) -> bool:
    return slug in (truth.category, truth.parent)


def grade_model(want: Want, truth: Truth) -> int:
    """3: the model asked for; 2: another generation of its series (PC200-10 for PC200-8);
    1: the same maker's machine of the model's category; 0: anything else."""
    model = MODEL[want.model or ""]
    if truth.model == model.number:
        return 3
    if truth.maker == model.maker and truth.series == model.series:
        return 2
    return 1 if truth.maker == model.maker and truth.category == model.category else 0


def grade_series(want: Want, truth: Truth) -> int:
    """3: a model of the series (PC200-8 and PC200-10 for "PC200", never PC2000-8); 1: the
    same maker's machine of the series' category; 0: anything else."""
    models = [model for model in MODEL.values() if model.series == want.series]
    if truth.series == want.series and truth.maker in {model.maker for model in models}:
        return 3
    return 1 if any(truth.maker == m.maker and truth.category == m.category for m in models) else 0


def grade_maker_category(want: Want, truth: Truth) -> int:
    """With a maker and a category: 3 for that maker's machine of the category (or a
    subcategory), 1 for another maker's; with only one of them, 3 for a listing that has it."""
    maker_matches = want.maker is None or truth.maker == want.maker
    category_matches = want.category is None or in_category(truth, want.category)
    if maker_matches and category_matches:
        return 3
    return 1 if want.maker and want.category and category_matches else 0


def grade_size(want: Want, truth: Truth) -> int:
    """A size in tonnes with a category (and maybe a maker): 3 within 10 % of the size asked,
    2 within 25 %, 1 of the category at another size; 0 outside the category or maker."""
    if want.category and not in_category(truth, want.category):
        return 0
    if want.maker and truth.maker != want.maker:
        return 0
    off_by = abs(truth.tonnes - (want.tonnes or 0)) / (want.tonnes or 1)
    return 3 if off_by <= 0.10 else 2 if off_by <= 0.25 else 1


def grade_year(want: Want, truth: Truth) -> int:
    """A year with a maker (and maybe a category): 3 for that year, 1 a year either side; 0
    for another maker or category."""
    if (want.maker and truth.maker != want.maker) or (
        want.category and not in_category(truth, want.category)
    ):
        return 0
    off_by = abs(truth.year - (want.year or 0))
    return 3 if off_by == 0 else 1 if off_by == 1 else 0


def grade_what_is_meant(want: Want, truth: Truth) -> int:
    """The rule for what the query names: a model, a series, a size, a year, or a maker and
    a category (either alone)."""
    if want.model:
        return grade_model(want, truth)
    if want.series:
        return grade_series(want, truth)
    if want.tonnes:
        return grade_size(want, truth)
    if want.year:
        return grade_year(want, truth)
    return grade_maker_category(want, truth)


def grade_exact_model(query: Query, truth: Truth) -> int:
    """A model number as catalogued: `grade_model`."""
    return grade_model(query.want, truth)


def grade_model_variant(query: Query, truth: Truth) -> int:
    """A model number typed another way (spaces, no dash, full width, a Unicode hyphen) is
    the model; a partial one ("PC200") is its series: `grade_model` or `grade_series`."""
    return grade_model(query.want, truth) if query.want.model else grade_series(query.want, truth)


def grade_maker_and_category(query: Query, truth: Truth) -> int:
    """A maker and a kind of machine in the buyer's words: `grade_maker_category`."""
    return grade_maker_category(query.want, truth)


def grade_trade_slang(query: Query, truth: Truth) -> int:
    """Slang or a synonym for a kind of machine ("digger", ユンボ, 挖土机, Bagger) means that
    category, with a maker if one is named: `grade_maker_category`."""
    return grade_maker_category(query.want, truth)


def grade_typo(query: Query, truth: Truth) -> int:
    """Graded as the query spelled right would be."""
    return grade_what_is_meant(query.want, truth)


def grade_transliteration(query: Query, truth: Truth) -> int:
    """A maker's name in another script or language (コマツ, 小松, Komatsu) is that maker,
    with the model or category named beside it."""
    return grade_what_is_meant(query.want, truth)


def grade_mixed_script(query: Query, truth: Truth) -> int:
    """Latin and Japanese or Chinese words in one query ("コマツ PC200-8 油圧ショベル") mean
    what they mean in either script."""
    return grade_what_is_meant(query.want, truth)


def grade_numeric(query: Query, truth: Truth) -> int:
    """A size ("20 ton excavator": `grade_size`) or a year ("2015 komatsu": `grade_year`)."""
    return grade_size(query.want, truth) if query.want.tonnes else grade_year(query.want, truth)


def grade_hard_negative(query: Query, truth: Truth) -> int:
    """What the query means, and 0 for its decoy whatever that rule gives (a Komatsu
    excavator for "komatsu wheel loader", a PC2000 for "PC200")."""
    return 0 if is_decoy(query, truth) else grade_what_is_meant(query.want, truth)


def is_decoy(query: Query, truth: Truth) -> bool:
    """Whether the listing is the query's obvious-but-wrong match: of the decoy series, or of
    the decoy maker and category."""
    decoy = query.decoy
    if decoy is None:
        return False
    if decoy.series:
        return truth.series == decoy.series
    return grade_maker_category(decoy, truth) == 3


GRADERS: dict[str, Callable[[Query, Truth], int]] = {
    "exact model": grade_exact_model,
    "model variant": grade_model_variant,
    "maker + category": grade_maker_and_category,
    "trade slang": grade_trade_slang,
    "typo": grade_typo,
    "transliteration": grade_transliteration,
    "mixed script": grade_mixed_script,
    "numeric intent": grade_numeric,
    "hard negative": grade_hard_negative,
}

# ------------------------------------------------------------------ the queries


def _queries(kind: str, rows: list[tuple[str, str, Want] | tuple[str, str, Want, Want]]) -> list[Query]:
    """Queries of one class from (text, buyer language, what is meant[, decoy]) rows."""
    return [Query(kind, *row) for row in rows]


def model(number: str) -> Want:
    return Want(model=number)


def series(name: str) -> Want:
    return Want(series=name)


def maker(slug: str, category: str | None = None) -> Want:
    return Want(maker=slug, category=category)


def category(slug: str, maker: str | None = None) -> Want:
    return Want(maker=maker, category=slug)


def size(tonnes: float, category: str, maker: str | None = None) -> Want:
    return Want(tonnes=tonnes, category=category, maker=maker)


def year(value: int, maker: str, category: str | None = None) -> Want:
    return Want(year=value, maker=maker, category=category)


FULL_WIDTH_PC200 = "\uff30\uff23\uff12\uff10\uff10"  # PC200 in full width
HYPHEN = "\u2010"  # Unicode hyphen, as word processors type it

EXACT_MODELS = _queries(
    "exact model",
    [
        ("PC200-8", "en", model("PC200-8")),
        ("PC200-10", "ja", model("PC200-10")),
        ("PC210LC-10", "zh", model("PC210LC-10")),
        ("PC30MR-5", "de", model("PC30MR-5")),
        ("WA320-8", "fr", model("WA320-8")),
        ("D61PX-24", "en", model("D61PX-24")),
        ("320D", "en", model("320D")),
        ("950M", "ja", model("950M")),
        ("D6T", "zh", model("D6T")),
        ("262D", "en", model("262D")),
        ("ZX200-5G", "ja", model("ZX200-5G")),
        ("ZW220-6", "zh", model("ZW220-6")),
        ("SK200-10", "ja", model("SK200-10")),
        ("U27-4", "en", model("U27-4")),
        ("KX057-5", "de", model("KX057-5")),
        ("TB260", "fr", model("TB260")),
        ("ViO55-6", "ja", model("ViO55-6")),
        ("EC220E", "de", model("EC220E")),
        ("L120H", "fr", model("L120H")),
        ("A30G", "en", model("A30G")),
        ("LTM 1050-3.1", "de", model("LTM 1050-3.1")),
        ("R 920", "de", model("R 920")),
        ("3CX", "en", model("3CX")),
        ("SY215C", "zh", model("SY215C")),
        ("QY25K5", "zh", model("QY25K5")),
        ("GR-250N", "ja", model("GR-250N")),
        ("BW 213 D-5", "de", model("BW 213 D-5")),
        ("CX210D", "fr", model("CX210D")),
        ("S650", "en", model("S650")),
        ("HM300-5", "ja", model("HM300-5")),
    ],
)

MODEL_VARIANTS = _queries(
    "model variant",
    [
        ("PC 200-8", "en", model("PC200-8")),
        ("pc2008", "en", model("PC200-8")),
        (f"PC200{HYPHEN}8", "ja", model("PC200-8")),
        (FULL_WIDTH_PC200, "ja", series("PC200")),
        ("pc200", "zh", series("PC200")),
        ("PC200 8", "de", model("PC200-8")),
        ("pc200-10", "fr", model("PC200-10")),
        ("PC20010", "en", model("PC200-10")),
        ("\uff30\uff23\uff13\uff10\uff10\uff0d\uff18", "ja", model("PC300-8")),  # PC300-8 in full width
        ("zx200", "en", series("ZX200")),
        ("ZX 200-5G", "ja", model("ZX200-5G")),
        ("zx2005g", "zh", model("ZX200-5G")),
        ("sk200", "ja", series("SK200")),
        ("SK200 10", "en", model("SK200-10")),
        ("wa320", "en", series("WA320")),
        ("WA 320-8", "fr", model("WA320-8")),
        (f"WA320{HYPHEN}8", "de", model("WA320-8")),
        ("u27", "en", series("U27")),
        ("U 27-4", "ja", model("U27-4")),
        ("kx057", "de", series("KX057")),
        ("ltm1050", "de", series("LTM1050")),
        ("LTM1050-3.1", "en", model("LTM 1050-3.1")),
        ("R920", "fr", model("R 920")),
        ("bw213", "de", series("BW213")),
        ("gr250n", "ja", model("GR-250N")),
        ("GR 250N", "en", model("GR-250N")),
        ("sy215", "zh", series("SY215")),
        ("\uff33\uff39\uff12\uff11\uff15\uff23", "zh", model("SY215C")),  # SY215C in full width
        ("d61px", "en", series("D61")),
        ("vio55", "ja", series("VIO55")),
    ],
)

MAKER_CATEGORIES = _queries(
    "maker + category",
    [
        ("komatsu excavator", "en", maker("komatsu", "excavators")),
        ("komatsu loader", "en", maker("komatsu", "loaders")),
        ("caterpillar dozer", "en", maker("caterpillar", "dozers")),
        ("caterpillar excavator", "en", maker("caterpillar", "excavators")),
        ("hitachi excavator", "en", maker("hitachi", "excavators")),
        ("volvo wheel loader", "en", maker("volvo", "wheel-loaders")),
        ("liebherr crane", "en", maker("liebherr", "cranes")),
        ("kubota mini excavator", "en", maker("kubota", "mini-excavators")),
        ("jcb backhoe loader", "en", maker("jcb", "backhoe-loaders")),
        ("bobcat skid steer", "en", maker("bobcat", "skid-steer-loaders")),
        ("コマツ 油圧ショベル", "ja", maker("komatsu", "excavators")),
        ("コマツ ブルドーザー", "ja", maker("komatsu", "dozers")),
        ("日立 ミニショベル", "ja", maker("hitachi", "mini-excavators")),
        ("タダノ クレーン", "ja", maker("tadano", "cranes")),
        ("キャタピラー ブルドーザー", "ja", maker("caterpillar", "dozers")),
        ("小松 挖掘机", "zh", maker("komatsu", "excavators")),
        ("三一 挖掘机", "zh", maker("sany", "excavators")),
        ("徐工 装载机", "zh", maker("xcmg", "wheel-loaders")),
        ("卡特彼勒 推土机", "zh", maker("caterpillar", "dozers")),
        ("沃尔沃 装载机", "zh", maker("volvo", "wheel-loaders")),
        ("Liebherr Mobilkran", "de", maker("liebherr", "mobile-cranes")),
        ("Volvo Radlader", "de", maker("volvo", "wheel-loaders")),
        ("Komatsu Kettenbagger", "de", maker("komatsu", "crawler-excavators")),
        ("Bomag Walzenzug", "de", maker("bomag", "rollers")),
        ("Caterpillar Planierraupe", "de", maker("caterpillar", "crawler-dozers")),
        ("pelle hydraulique Volvo", "fr", maker("volvo", "excavators")),
        ("chargeuse sur pneus Caterpillar", "fr", maker("caterpillar", "wheel-loaders")),
        ("mini-pelle Kubota", "fr", maker("kubota", "mini-excavators")),
        ("tractopelle JCB", "fr", maker("jcb", "backhoe-loaders")),
        ("grue Tadano", "fr", maker("tadano", "cranes")),
    ],
)

TRADE_SLANG = _queries(
    "trade slang",
    [
        ("digger", "en", category("excavators")),
        ("dozer", "en", category("dozers")),
        ("payloader", "en", category("wheel-loaders")),
        ("front loader", "en", category("wheel-loaders")),
        ("backhoe", "en", category("backhoe-loaders")),
        ("compact excavator", "en", category("mini-excavators")),
        ("mini digger", "en", category("mini-excavators")),
        ("skidsteer", "en", category("skid-steer-loaders")),
        ("komatsu digger", "en", category("excavators", "komatsu")),
        ("cat dozer", "en", category("dozers", "caterpillar")),
        ("ユンボ", "ja", category("excavators")),
        ("パワーショベル", "ja", category("excavators")),
        ("ショベルカー", "ja", category("excavators")),
        ("ドーザー", "ja", category("dozers")),
        ("タイヤショベル", "ja", category("wheel-loaders")),
        ("ラフター", "ja", category("rough-terrain-cranes")),
        ("コマツ ユンボ", "ja", category("excavators", "komatsu")),
        ("挖土机", "zh", category("excavators")),
        ("挖机", "zh", category("excavators")),
        ("铲车", "zh", category("wheel-loaders")),
        ("吊车", "zh", category("cranes")),
        ("三一 挖机", "zh", category("excavators", "sany")),
        ("Bagger", "de", category("excavators")),
        ("Schaufellader", "de", category("wheel-loaders")),
        ("Raupe", "de", category("dozers")),
        ("Walze", "de", category("rollers")),
        ("pelleteuse", "fr", category("excavators")),
        ("bulldozer", "fr", category("dozers")),
        ("rouleau compresseur", "fr", category("rollers")),
        ("dumper", "fr", category("articulated-dump-trucks")),
    ],
)

TYPOS = _queries(
    "typo",
    [
        ("excavtor", "en", category("excavators")),
        ("komtsu excavator", "en", maker("komatsu", "excavators")),
        ("komatsu excavater", "en", maker("komatsu", "excavators")),
        ("caterpiller 320D", "en", model("320D")),
        ("catterpillar wheel loader", "en", maker("caterpillar", "wheel-loaders")),
        ("bulldozr", "en", category("dozers")),
        ("buldozer", "en", category("dozers")),
        ("wheel loder", "en", category("wheel-loaders")),
        ("hitachi excavatr", "en", maker("hitachi", "excavators")),
        ("liebher crane", "en", maker("liebherr", "cranes")),
        ("kubota mini excavtor", "en", maker("kubota", "mini-excavators")),
        ("tadanno crane", "en", maker("tadano", "cranes")),
        ("卡特皮勒", "zh", maker("caterpillar")),
        ("volvo weel loader", "en", maker("volvo", "wheel-loaders")),
        ("小松 挖据机", "zh", maker("komatsu", "excavators")),
        ("Kettenbager", "de", category("crawler-excavators")),
        ("Radlder", "de", category("wheel-loaders")),
        ("Liebher Mobilkran", "de", maker("liebherr", "mobile-cranes")),
        ("Minibager Kubota", "de", maker("kubota", "mini-excavators")),
        ("Planieraupe", "de", category("crawler-dozers")),
        ("chargeuse sur pneu", "fr", category("wheel-loaders")),
        ("pelle hydrolique", "fr", category("excavators")),
        ("tractopele", "fr", category("backhoe-loaders")),
        ("compacteur monocylindr", "fr", category("rollers")),
        ("ブルドーザ", "ja", category("dozers")),
        ("ホイールローダ", "ja", category("wheel-loaders")),
        ("コマツ ホイールローダ", "ja", maker("komatsu", "wheel-loaders")),
        ("キャタピラ", "ja", maker("caterpillar")),
        ("ミニショベール", "ja", category("mini-excavators")),
        ("komatsu pc200-8 excavater", "en", model("PC200-8")),
    ],
)

TRANSLITERATIONS = _queries(
    "transliteration",
    [
        ("コマツ", "ja", maker("komatsu")),
        ("小松", "zh", maker("komatsu")),
        ("Komatsu", "ja", maker("komatsu")),
        ("Komatsu", "zh", maker("komatsu")),
        ("キャタピラー", "ja", maker("caterpillar")),
        ("卡特彼勒", "zh", maker("caterpillar")),
        ("Caterpillar", "zh", maker("caterpillar")),
        ("キャタピラー 320D", "ja", model("320D")),
        ("卡特彼勒 950M", "zh", model("950M")),
        ("日立建機", "ja", maker("hitachi")),
        ("日立 ZX200", "zh", series("ZX200")),
        ("Hitachi", "ja", maker("hitachi")),
        ("クボタ", "en", maker("kubota")),
        ("久保田", "de", maker("kubota")),
        ("コベルコ SK200", "ja", series("SK200")),
        ("神钢", "zh", maker("kobelco")),
        ("ボルボ", "fr", maker("volvo")),
        ("沃尔沃", "en", maker("volvo")),
        ("リープヘル", "ja", maker("liebherr")),
        ("利勃海尔 起重机", "zh", maker("liebherr", "cranes")),
        ("タダノ", "ja", maker("tadano")),
        ("多田野", "zh", maker("tadano")),
        ("Tadano", "zh", maker("tadano")),
        ("三一", "fr", maker("sany")),
        ("Sany", "ja", maker("sany")),
        ("徐工", "zh", maker("xcmg")),
        ("XCMG", "ja", maker("xcmg")),
        ("ヤンマー", "de", maker("yanmar")),
        ("洋马 小型挖掘机", "zh", maker("yanmar", "mini-excavators")),
        ("ボブキャット", "ja", maker("bobcat")),
    ],
)

MIXED_SCRIPT = _queries(
    "mixed script",
    [
        ("コマツ PC200-8 油圧ショベル", "ja", model("PC200-8")),
        ("KOMATSU 油圧ショベル", "ja", maker("komatsu", "excavators")),
        ("Komatsu 挖掘机", "zh", maker("komatsu", "excavators")),
        ("小松 PC200", "zh", series("PC200")),
        ("小松 PC200-8 挖掘机", "zh", model("PC200-8")),
        ("Hitachi ZX200 油圧ショベル", "ja", series("ZX200")),
        ("日立 ZX200-5G", "ja", model("ZX200-5G")),
        ("Caterpillar 推土机", "zh", maker("caterpillar", "dozers")),
        ("CATERPILLAR D6T ブルドーザー", "ja", model("D6T")),
        ("Kubota ミニショベル", "ja", maker("kubota", "mini-excavators")),
        ("クボタ U27-4", "ja", model("U27-4")),
        ("Volvo 装载机", "zh", maker("volvo", "wheel-loaders")),
        ("ボルボ L120H", "ja", model("L120H")),
        ("Liebherr 起重机", "zh", maker("liebherr", "cranes")),
        ("リープヘル LTM1050", "ja", series("LTM1050")),
        ("Tadano ラフテレーンクレーン", "ja", maker("tadano", "rough-terrain-cranes")),
        ("多田野 GR-250N", "zh", model("GR-250N")),
        ("Sany SY215C 挖掘机", "zh", model("SY215C")),
        ("三一 SY215C", "zh", model("SY215C")),
        ("XCMG 起重机", "zh", maker("xcmg", "cranes")),
        ("Komatsu ホイールローダー", "ja", maker("komatsu", "wheel-loaders")),
        ("WA320 ホイールローダー", "ja", series("WA320")),
        ("PC30MR ミニショベル", "ja", series("PC30")),
        ("SK200 油圧ショベル", "ja", series("SK200")),
        ("320D 挖掘机", "zh", model("320D")),
        ("Komatsu 油圧ショベル excavator", "en", maker("komatsu", "excavators")),
        ("JCB 挖掘装载机", "zh", maker("jcb", "backhoe-loaders")),
        ("Bobcat 滑移装载机", "zh", maker("bobcat", "skid-steer-loaders")),
        ("コマツ Kettenbagger", "de", maker("komatsu", "crawler-excavators")),
        ("Komatsu pelle 油圧ショベル", "fr", maker("komatsu", "excavators")),
    ],
)

NUMERIC = _queries(
    "numeric intent",
    [
        ("20 ton excavator", "en", size(20, "excavators")),
        ("30 ton excavator", "en", size(30, "excavators")),
        ("35 ton excavator", "en", size(35, "excavators")),
        ("3 ton mini excavator", "en", size(3, "mini-excavators")),
        ("20 ton wheel loader", "en", size(20, "wheel-loaders")),
        ("25 ton crane", "en", size(25, "cranes")),
        ("50 ton crane", "en", size(50, "cranes")),
        ("100 ton crane", "en", size(100, "cranes")),
        ("20 ton komatsu excavator", "en", size(20, "excavators", "komatsu")),
        ("20トン 油圧ショベル", "ja", size(20, "excavators")),
        ("25トン ラフテレーンクレーン", "ja", size(25, "rough-terrain-cranes")),
        ("3トン ミニショベル", "ja", size(3, "mini-excavators")),
        ("20吨 挖掘机", "zh", size(20, "excavators")),
        ("22吨挖掘机", "zh", size(22, "excavators")),
        ("25吨 起重机", "zh", size(25, "cranes")),
        ("20 Tonnen Bagger", "de", size(20, "excavators")),
        ("50 t Mobilkran", "de", size(50, "mobile-cranes")),
        ("13 Tonnen Walze", "de", size(13, "rollers")),
        ("pelle 20 tonnes", "fr", size(20, "excavators")),
        ("grue 100 tonnes", "fr", size(100, "cranes")),
        ("2015 komatsu", "en", year(2015, "komatsu")),
        ("komatsu 2018", "en", year(2018, "komatsu")),
        ("2012 caterpillar", "en", year(2012, "caterpillar")),
        ("2019 volvo wheel loader", "en", year(2019, "volvo", "wheel-loaders")),
        ("コマツ 2015年式", "ja", year(2015, "komatsu")),
        ("日立 2016年式", "ja", year(2016, "hitachi")),
        ("2016年 小松", "zh", year(2016, "komatsu")),
        ("2020年 三一 挖掘机", "zh", year(2020, "sany", "excavators")),
        ("Liebherr Baujahr 2018", "de", year(2018, "liebherr")),
        ("Caterpillar de 2014", "fr", year(2014, "caterpillar")),
    ],
)

HARD_NEGATIVES = _queries(
    "hard negative",
    [
        (
            "komatsu wheel loader",
            "en",
            maker("komatsu", "wheel-loaders"),
            maker("komatsu", "excavators"),
        ),
        ("PC200", "en", series("PC200"), Want(series="PC2000")),
        ("pc200", "ja", series("PC200"), Want(series="PC2000")),
        ("PC30", "en", series("PC30"), Want(series="PC300")),
        ("wheeled excavator", "en", category("wheeled-excavators"), category("wheel-loaders")),
        ("mini excavator", "en", category("mini-excavators"), category("crawler-excavators")),
        ("crawler crane", "en", category("crawler-cranes"), category("crawler-excavators")),
        ("backhoe loader", "en", category("backhoe-loaders"), category("excavators")),
        ("komatsu dozer", "en", maker("komatsu", "dozers"), maker("komatsu", "excavators")),
        (
            "caterpillar wheel loader",
            "en",
            maker("caterpillar", "wheel-loaders"),
            maker("caterpillar", "excavators"),
        ),
        ("volvo excavator", "en", maker("volvo", "excavators"), maker("volvo", "wheel-loaders")),
        ("liebherr wheel loader", "en", maker("liebherr", "wheel-loaders"), maker("liebherr", "cranes")),
        ("hitachi wheel loader", "en", maker("hitachi", "wheel-loaders"), maker("hitachi", "excavators")),
        ("skid steer loader", "en", category("skid-steer-loaders"), category("wheel-loaders")),
        ("mining excavator", "en", category("mining-excavators"), category("crawler-excavators")),
        ("コマツ ホイールローダー", "ja", maker("komatsu", "wheel-loaders"), maker("komatsu", "excavators")),
        ("ホイール式油圧ショベル", "ja", category("wheeled-excavators"), category("crawler-excavators")),
        ("クローラクレーン", "ja", category("crawler-cranes"), category("crawler-excavators")),
        ("バックホーローダー", "ja", category("backhoe-loaders"), category("excavators")),
        ("小松 装载机", "zh", maker("komatsu", "wheel-loaders"), maker("komatsu", "excavators")),
        ("轮式挖掘机", "zh", category("wheeled-excavators"), category("wheel-loaders")),
        ("履带起重机", "zh", category("crawler-cranes"), category("crawler-excavators")),
        ("挖掘装载机", "zh", category("backhoe-loaders"), category("excavators")),
        ("Mobilbagger", "de", category("wheeled-excavators"), category("crawler-excavators")),
        ("Baggerlader", "de", category("backhoe-loaders"), category("excavators")),
        ("Komatsu Radlader", "de", maker("komatsu", "wheel-loaders"), maker("komatsu", "excavators")),
        ("pelle sur pneus", "fr", category("wheeled-excavators"), category("wheel-loaders")),
        ("chargeuse Komatsu", "fr", maker("komatsu", "loaders"), maker("komatsu", "excavators")),
        ("grue sur chenilles", "fr", category("crawler-cranes"), category("crawler-excavators")),
        ("D6", "en", series("D6"), Want(series="D61")),
    ],
)

QUERIES = (
    EXACT_MODELS
    + MODEL_VARIANTS
    + MAKER_CATEGORIES
    + TRADE_SLANG
    + TYPOS
    + TRANSLITERATIONS
    + MIXED_SCRIPT
    + NUMERIC
    + HARD_NEGATIVES
)

# ------------------------------------------------------------------ metrics


def dcg(grades: list[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg_at(ranked: list[int], ideal: list[int], k: int = K) -> float:
    """`ranked`: the grades of the results in order; `ideal`: every judged grade."""
    best = dcg(sorted(ideal, reverse=True)[:k])
    return dcg(ranked[:k]) / best if best else 0.0


def reciprocal_rank(ranked: list[int], at_least: int, k: int = K) -> float:
    return next((1 / (rank + 1) for rank, grade in enumerate(ranked[:k]) if grade >= at_least), 0.0)


def precision_at(ranked: list[int], k: int = 5) -> float:
    return sum(grade >= 1 for grade in ranked[:k]) / k


@dataclass(frozen=True)
class Outcome:
    query: Query
    ndcg: float
    reciprocal_rank: float  # first relevant
    reciprocal_rank_top: float  # first with the query's best grade
    precision: float
    zero_results: bool
    decoys_above: int  # decoy results ranked above a right (grade 3) result


def judge(query: Query, ids: list[int], catalogue: dict[int, Truth]) -> Outcome:
    grade = GRADERS[query.kind]
    ranked = [grade(query, catalogue[machine_id]) if machine_id in catalogue else 0 for machine_id in ids]
    every_grade = [grade(query, truth) for truth in catalogue.values()]
    decoys = [is_decoy(query, catalogue[machine_id]) for machine_id in ids[:K]]
    last_right = max((rank for rank, g in enumerate(ranked[:K]) if g == 3), default=-1)
    return Outcome(
        query,
        ndcg_at(ranked, every_grade),
        reciprocal_rank(ranked, 1),
        reciprocal_rank(ranked, max(every_grade)),
        precision_at(ranked),
        not ids,
        sum(decoys[: last_right + 1]),
    )


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    count = len(outcomes)
    return {
        "queries": count,
        "ndcg": sum(o.ndcg for o in outcomes) / count,
        "mrr": sum(o.reciprocal_rank for o in outcomes) / count,
        "mrr_top": sum(o.reciprocal_rank_top for o in outcomes) / count,
        "precision": sum(o.precision for o in outcomes) / count,
        "zero": sum(o.zero_results for o in outcomes) / count,
    }


def table(outcomes: list[Outcome]) -> str:
    by_kind: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.query.kind, []).append(outcome)
    lines = [
        f"  {'class':<18} {'queries':>7} {'nDCG@10':>8} {'MRR':>6} {'MRR-top':>7} {'P@5':>6} {'zero':>6}  languages"
    ]
    for kind, rows in [*by_kind.items(), ("OVERALL", outcomes)]:
        figures = summary(rows)
        languages = Counter(o.query.lang for o in rows)
        spread = " ".join(f"{lang}:{languages[lang]}" for lang in LANGUAGES)
        lines.append(
            f"  {kind:<18} {figures['queries']:>7.0f} {figures['ndcg']:>8.3f} {figures['mrr']:>6.3f}"
            f" {figures['mrr_top']:>7.3f} {figures['precision']:>6.3f} {figures['zero']:>6.3f}  {spread}"
        )
    return "\n".join(lines)


def worst(outcomes: list[Outcome], count: int = 15) -> str:
    rows = sorted(outcomes, key=lambda o: o.ndcg)[:count]
    return "\n".join(
        f"  {o.ndcg:.3f}  {o.query.kind:<16} [{o.query.lang}] {o.query.text}" for o in rows if o.ndcg < 1
    )


# ------------------------------------------------------------------ the test


@pytest.fixture(scope="module")
def judged_catalogue(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[int, Truth]]:
    """The generated catalogue, written and indexed once for the module (committed, outside
    the per-test transactions, into a fresh index) and removed afterwards: machine id → truth."""
    from tests.factories import SellerFactory
    from tests.search.catalogue import fresh_machine_index

    listings = generate()
    with django_db_blocker.unblock():
        fresh_machine_index()
        seller = SellerFactory.create(username="judged-catalogue-seller")
        try:
            ids = build_judged_catalogue(seller, listings)
            yield {ids[truth.key]: truth for truth in listings}
        finally:
            remove_judged_catalogue()
            seller.delete()


def test_the_set_is_as_large_and_varied_as_the_issue_asks() -> None:
    catalogue = describe(generate())
    kinds = Counter(query.kind for query in QUERIES)

    assert catalogue["listings"] >= 2_000
    assert all(catalogue["per_language"][language] > 0 for language in LANGUAGES)
    assert catalogue["one_language"] > 0
    assert catalogue["mixed_script"] > 0
    assert len(QUERIES) >= 200
    assert set(kinds) == set(GRADERS)
    assert {query.lang for query in QUERIES} == set(LANGUAGES)
    assert len({(query.text, query.lang) for query in QUERIES}) == len(QUERIES)


def test_every_query_has_something_to_find() -> None:
    listings = generate()
    nothing = [
        query.text for query in QUERIES if max(GRADERS[query.kind](query, truth) for truth in listings) < 3
    ]

    assert nothing == []


def test_judged_queries_meet_their_marks(
    judged_catalogue: dict[int, Truth], capsys: pytest.CaptureFixture[str]
) -> None:
    client = APIClient()
    started = time.perf_counter()
    outcomes = []
    for query in QUERIES:
        params: dict[str, str | int] = {"q": query.text, "lang": query.lang, "limit": K}
        response = client.get("/api/v1/search/", params)
        assert response.status_code == 200, (query.text, response.content)
        ids = [result["id"] for result in response.json()["results"]]
        outcomes.append(judge(query, ids, judged_catalogue))
    elapsed = time.perf_counter() - started

    overall = summary(outcomes)
    by_kind = {kind: summary([o for o in outcomes if o.query.kind == kind]) for kind in GRADERS}
    with capsys.disabled():
        counts = describe(judged_catalogue.values())
        print(
            f"\njudged relevance set: {len(QUERIES)} queries over {counts['listings']} listings "
            f"(titles per language {counts['per_language']}, {counts['one_language']} in one language, "
            f"{counts['mixed_script']} with mixed-script titles); queries took {elapsed:.1f} s"
        )
        print("MRR: first relevant result (grade >= 1); MRR-top: first with the query's best grade")
        print(table(outcomes))
        print("lowest nDCG@10:\n" + worst(outcomes))
        decoyed = [o for o in outcomes if o.decoys_above]
        for outcome in decoyed:
            print(f"  decoy above a right listing: [{outcome.query.lang}] {outcome.query.text}")

    assert overall["zero"] == 0, [o.query.text for o in outcomes if o.zero_results]
    assert overall["ndcg"] >= NDCG_OVERALL
    assert {
        kind: round(figures["ndcg"], 3)
        for kind, figures in by_kind.items()
        if figures["ndcg"] < NDCG_PER_CLASS
    } == {}
    assert [o.query.text for o in outcomes if o.decoys_above] == []
