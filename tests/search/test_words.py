"""Every word of the text must be found in a listing, in any field and language: "komatsu
pc200" is Komatsu's PC200s, not every Komatsu. When that finds nothing, fewer words are
required and the answer says so; the count and the facets describe what is shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from search.client import get_client
from search.indices import MACHINES, alias_name
from search.query import text_words
from search.selectors import relaxed_steps
from search.sync import apply_changes
from tests.factories import MachineFactory, MakerFactory, model_with_specs


def test_words_are_split_at_spaces_and_a_trade_term_of_several_words_stays_whole() -> None:
    assert text_words("komatsu  pc200") == ["komatsu", "pc200"]
    assert text_words("used Wheel Loader komatsu") == ["used", "Wheel Loader", "komatsu"]
    assert text_words("skid steer loader") == ["skid steer loader"]  # the longest term
    assert text_words("コマツ PC200-8") == ["コマツ", "PC200-8"]
    assert text_words("   ") == []


WORDS = st.sampled_from(["a", "B", "wheel", "Loader", "skid", "steer", "loader", "コマツ", "pc200"])


@given(st.lists(st.tuples(WORDS, st.sampled_from([" ", "  ", "\t", " \n "])), max_size=12))
def test_splitting_keeps_every_word_in_order(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + space for word, space in pieces)

    assert " ".join(text_words(text)).split() == [word for word, _ in pieces]


def test_relaxing_asks_for_all_but_one_word_then_any_one() -> None:
    assert [relaxed_steps(n) for n in (0, 1, 2, 3, 5)] == [[], [], [1], [2, 1], [4, 1]]


def listed(maker: Any, model_number: str, titles: dict[str, str]) -> int:
    model = model_with_specs(
        maker=maker, model_number=model_number, slug=f"{maker.slug}-{model_number.lower()}"
    )
    machine = MachineFactory.create(model=model, title=titles, description={})
    return int(machine.pk)


def search(**params: Any) -> dict[str, Any]:
    response = APIClient().get("/api/v1/search/", params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def komatsus(machine_index: str) -> dict[str, int]:
    komatsu = MakerFactory.create(name="Komatsu", slug="komatsu", names={"en": "Komatsu", "ja": "コマツ"})
    ids = {
        "pc200": listed(komatsu, "PC200-8", {"en": "Komatsu PC200-8 hydraulic excavator"}),
        "forklift": listed(komatsu, "FG25T", {"en": "Komatsu FG25T forklift", "ja": "コマツ フォークリフト"}),
        "payloader": listed(komatsu, "WA320", {"en": "Payloader with bucket", "de": "Radlader mit Schaufel"}),
    }
    apply_changes({"machine": set(ids.values())})
    get_client().indices.refresh(index=alias_name(MACHINES))
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_maker_and_a_model_find_that_model_only_and_the_facets_agree(
    komatsus: dict[str, int], lang: str
) -> None:
    body = search(q="komatsu pc200", lang=lang)

    assert [result["id"] for result in body["results"]] == [komatsus["pc200"]]
    assert body["count"] == 1
    assert body["relaxed"] is None
    assert {(f["key"], f["count"]) for f in body["facets"]["maker"]} == {("komatsu", 1)}


@pytest.mark.django_db
def test_a_stop_word_need_not_be_found(komatsus: dict[str, int]) -> None:
    body = search(q="komatsu with pc200", lang="en")

    assert [result["id"] for result in body["results"]] == [komatsus["pc200"]]
    assert body["relaxed"] is None


@pytest.mark.django_db
def test_a_trade_term_of_two_words_finds_its_synonyms(komatsus: dict[str, int]) -> None:
    body = search(q="wheel loader", lang="en")

    assert [result["id"] for result in body["results"]] == [komatsus["payloader"]]
    assert body["relaxed"] is None


@pytest.mark.django_db
def test_words_that_find_nothing_together_are_relaxed_and_the_answer_says_so(
    komatsus: dict[str, int],
) -> None:
    body = search(q="komatsu xylophone", lang="en")

    assert body["relaxed"] == {"required_words": 1, "words": 2}
    assert {result["id"] for result in body["results"]} == set(komatsus.values())
    assert body["count"] == 3
    assert {(f["key"], f["count"]) for f in body["facets"]["maker"]} == {("komatsu", 3)}


@pytest.mark.django_db
def test_words_that_find_nothing_even_relaxed_find_nothing(komatsus: dict[str, int]) -> None:
    body = search(q="xylophone harpsichord", lang="en")

    assert (body["count"], body["results"]) == (0, [])
    assert body["relaxed"] == {"required_words": 1, "words": 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No machine matches all 2 words together; showing machines that match 1 of them."),
        ("ja", "2語すべてに一致する機械はありません。そのうち1語に一致する機械を表示しています。"),
    ],
)
def test_the_search_page_says_when_it_relaxed_the_words(
    komatsus: dict[str, int], client: Client, language: str, said: str
) -> None:
    relaxed = client.get("/search/", {"q": "komatsu xylophone"}, HTTP_ACCEPT_LANGUAGE=language)
    strict = client.get("/search/", {"q": "komatsu pc200"}, HTTP_ACCEPT_LANGUAGE=language)

    assert said in relaxed.content.decode()
    assert 'data-testid="relaxed"' not in strict.content.decode()
