"""A listing is found from any buyer language: Latin words inside Japanese or Chinese texts
(an attachment brand, a serial code, "4WD") and CJK words inside Latin-language texts match
whatever language the buyer searches in; the language only changes the order."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.factories import MachineFactory, model_with_specs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("machine_index")]


def listed(model_number: str | None = None, **titles: str) -> int:
    model = model_with_specs(**({"model_number": model_number} if model_number else {}))
    machine = MachineFactory.create(model=model, title=titles, description={})
    apply_changes({"machine": {machine.pk}})
    get_client().indices.refresh(index=alias_name(MACHINES))
    return int(machine.pk)


def found(text: str, lang: str) -> list[int]:
    response = APIClient().get("/api/v1/search/", {"q": text, "lang": lang})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return [result["id"] for result in body["results"]]


@pytest.mark.parametrize("lang", ["en", "de", "fr", "ja", "zh"])
@pytest.mark.parametrize(
    ("titles", "text"),
    [
        ({"ja": "油圧ショベル NPK ブレーカー付き"}, "NPK"),
        ({"ja": "ホイールローダー 4WD 除雪仕様"}, "4wd"),
        ({"zh": "挖掘机 带 Okada 破碎锤"}, "okada"),
        ({"en": "Excavator with 油圧 quick coupler"}, "油圧"),
        ({"de": "Bagger mit ブレーカー"}, "ブレーカー"),
    ],
)
def test_a_word_in_another_script_is_found_from_every_buyer_language(
    titles: dict[str, str], text: str, lang: str
) -> None:
    machine_id = listed(**titles)
    listed(en="Wheel loader", ja="ホイールローダー", zh="装载机")  # matches none of the words

    assert found(text, lang) == [machine_id]


@pytest.mark.parametrize(
    ("titles", "texts"),
    [
        (
            {"en": "Komatsu PC200-8 excavator"},
            ["\uff30\uff23\uff12\uff10\uff10", "PC200\u20108", "pc200-8", "PC 200-8", "pc2008", "KOMATSU"],
        ),
        ({"ja": "コマツ 油圧ショベル"}, ["\uff7a\uff8f\uff82", "コマツ"]),  # half-width ｺﾏﾂ
        ({"de": "Sennebogen Umschlagbagger"}, ["Sennébogen", "SENNEBOGEN"]),
        ({"fr": "Pelle Liebherr à chenilles, très propre"}, ["liebherr", "tres propre", "chenilles"]),
    ],
)
def test_width_case_diacritics_and_dashes_are_normalised(titles: dict[str, str], texts: list[str]) -> None:
    machine_id = listed("PC200-8", **titles)
    listed(en="Wheel loader", ja="ホイールローダー", zh="装载机")  # matches none of the words

    assert {text: found(text, "en") for text in texts} == {text: [machine_id] for text in texts}
