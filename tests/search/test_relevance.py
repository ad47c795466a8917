"""Relevance is tested, not assumed: labelled queries over the fixed catalogue, in English,
Japanese and Chinese, with graded judgements. Reports nDCG@10 and precision@5 per query and
for the set; each query must put a top-graded listing first."""

from __future__ import annotations

import math
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.search.catalogue import ids_of

pytestmark = pytest.mark.django_db

# (label, params, {listing key: grade}); grade 3 = exactly what was asked, 1 = acceptable
JUDGEMENTS: list[tuple[str, dict[str, str], dict[str, int]]] = [
    ("exact model number", {"q": "PC200-8", "lang": "en"}, {"pc200-en": 3, "pc200-ja": 3, "pc200-zh": 3}),
    ("partial model number", {"q": "PC20", "lang": "en"}, {"pc200-en": 3, "pc200-ja": 3, "pc200-zh": 3}),
    ("model number without dash", {"q": "zx200", "lang": "en"}, {"zx200-ja": 3}),
    (
        "maker + category",
        {"q": "komatsu excavator", "lang": "en"},
        {"pc200-en": 3, "pc30-all": 3, "pc200-ja": 2, "pc200-zh": 2, "wa320-all": 1},
    ),
    (
        "synonym digger",
        {"q": "digger", "lang": "en"},
        {"pc200-en": 3, "320d-en": 3, "pc30-all": 3, "u27-en": 3, "zx200-ja": 3},
    ),
    ("synonym dozer", {"q": "dozer", "lang": "en"}, {"d6t-en": 3}),
    (
        "typo excavtor",
        {"q": "excavtor", "lang": "en"},
        {"pc200-en": 3, "320d-en": 3, "pc30-all": 3, "u27-en": 3, "zx200-ja": 3},
    ),
    ("wheel loader", {"q": "wheel loader", "lang": "en"}, {"wa320-all": 3, "950m-en": 3}),
    ("Japanese slang ユンボ", {"q": "ユンボ", "lang": "ja"}, {"pc200-ja": 3, "zx200-ja": 3}),
    (
        "Japanese maker + type",
        {"q": "コマツ 油圧ショベル", "lang": "ja"},
        {"pc200-ja": 3, "pc30-all": 2, "pc200-en": 2, "pc200-zh": 2, "zx200-ja": 1},
    ),
    ("Chinese excavator", {"q": "挖掘机", "lang": "zh"}, {"pc200-zh": 3, "sy215-zh": 3, "pc30-all": 2}),
    ("Chinese synonym 挖土机", {"q": "挖土机", "lang": "zh"}, {"pc200-zh": 3, "sy215-zh": 3, "pc30-all": 2}),
    ("German crane", {"q": "Mobilkran", "lang": "de"}, {"ltm-de": 3}),
    (
        "Japanese buyer, same words",
        {"q": "PC200-8", "lang": "ja"},
        {"pc200-ja": 3, "pc200-en": 1, "pc200-zh": 1},
    ),
    (
        "English buyer, same words",
        {"q": "PC200-8", "lang": "en"},
        {"pc200-en": 3, "pc200-ja": 1, "pc200-zh": 1},
    ),
    (
        "Chinese buyer, same words",
        {"q": "PC200-8", "lang": "zh"},
        {"pc200-zh": 3, "pc200-en": 1, "pc200-ja": 1},
    ),
]


def dcg(grades: list[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg_at(ranked: list[int], judged: dict[int, int], k: int) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    return dcg([judged.get(machine_id, 0) for machine_id in ranked[:k]]) / ideal


def precision_at(ranked: list[int], judged: dict[int, int], k: int) -> float:
    relevant = [machine_id for machine_id in ranked[:k] if judged.get(machine_id, 0) > 0]
    return len(relevant) / min(k, len(judged))


def test_labelled_queries(search_catalogue: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for label, params, grades in JUDGEMENTS:
        judged = {search_catalogue[key]: grade for key, grade in grades.items()}
        query: dict[str, Any] = {**params, "limit": 10}
        ranked = ids_of(APIClient().get("/api/v1/search/", query))
        rows.append((label, ndcg_at(ranked, judged, 10), precision_at(ranked, judged, 5), ranked, judged))

    with capsys.disabled():
        print("\nsearch relevance (fixed catalogue)")
        for label, ndcg, precision, _, _ in rows:
            print(f"  {label:<30} nDCG@10 {ndcg:.3f}  P@5 {precision:.2f}")
        mean_ndcg = sum(row[1] for row in rows) / len(rows)
        mean_precision = sum(row[2] for row in rows) / len(rows)
        print(f"  {'MEAN':<30} nDCG@10 {mean_ndcg:.3f}  P@5 {mean_precision:.2f}")

    for label, _, _, ranked, judged in rows:
        assert ranked, label
        assert judged.get(ranked[0], 0) == max(judged.values()), (
            f"{label}: first result {ranked[0]} is not top-graded"
        )
    assert mean_ndcg >= 0.9
    assert mean_precision >= 0.9
