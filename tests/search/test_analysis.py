"""The project's analyzers on the real engine: real stemming, morphology and segmentation."""

from __future__ import annotations

from typing import Any

import pytest

from search.client import get_client


def analyze(index: str, analyzer: str, text: str) -> list[str]:
    result = get_client().indices.analyze(index=index, body={"analyzer": analyzer, "text": text})
    return [token["token"] for token in result["tokens"]]


def index_documents(index: str, documents: list[dict[str, Any]]) -> None:
    client = get_client()
    for document in documents:
        client.index(index=index, id=document["id"], body=document)
    client.indices.refresh(index=index)


def matching_ids(index: str, query: dict[str, Any]) -> list[int]:
    response = get_client().search(index=index, body={"query": query, "sort": ["id"]})
    return [hit["_source"]["id"] for hit in response["hits"]["hits"]]


def test_english_stemming_makes_excavators_match_excavator(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "title": {"en": "Komatsu excavator with hammer line"}},
            {"id": 2, "title": {"en": "Wheel loader, low hours"}},
        ],
    )

    assert matching_ids(search_index, {"match": {"title.en": "excavators"}}) == [1]
    assert analyze(search_index, "en_text", "Excavators digging") == ["excav", "dig"]


def test_a_japanese_query_matches_inside_a_japanese_sentence(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "title": {"ja": "中古の油圧ショベルを格安で販売しています"}},
            {"id": 2, "title": {"ja": "ホイールローダーの整備記録あり"}},
        ],
    )

    assert matching_ids(search_index, {"match": {"title.ja": "油圧ショベル"}}) == [1]
    # kuromoji segments words and folds inflections to their base form
    assert analyze(search_index, "ja_text", "販売しています") == ["販売"]


def test_chinese_segmentation_finds_a_word_inside_a_sentence(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "title": {"zh": "二手小松挖掘机出售,车况良好"}},
            {"id": 2, "title": {"zh": "装载机低价转让"}},
        ],
    )

    assert matching_ids(search_index, {"match": {"title.zh": "挖掘机"}}) == [1]
    assert "挖掘机" in analyze(search_index, "zh_text", "二手挖掘机出售")


def test_japanese_and_chinese_descriptions_match_as_bigrams_in_order(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {
                "id": 1,
                "description": {"ja": "バケット交換済みの油圧ショベルです", "zh": "二手小松挖掘机出售"},
            },
            {"id": 2, "description": {"ja": "油圧配管とショベルのアーム", "zh": "挖土方用的掘进机"}},
        ],
    )

    assert analyze(search_index, "cjk_bigram_text", "油圧ショベル") == [
        "油圧",
        "圧シ",
        "ショ",
        "ョベ",
        "ベル",
    ]
    # every bigram of the words, adjacent: the phrase, not its characters scattered about
    assert matching_ids(search_index, {"match_phrase": {"description.ja": "油圧ショベル"}}) == [1]
    assert matching_ids(search_index, {"match_phrase": {"description.zh": "挖掘机"}}) == [1]
    assert matching_ids(
        search_index, {"match": {"description.ja": {"query": "ショベル", "operator": "and"}}}
    ) == [1, 2]


def test_german_stemming_and_umlaut_folding(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "title": {"de": "Bagger mit zwei Löffeln"}},
            {"id": 2, "title": {"de": "Radlader mit Gabel"}},
        ],
    )

    assert matching_ids(search_index, {"match": {"title.de": "Baggern"}}) == [1]
    assert matching_ids(search_index, {"match": {"title.de": "Loeffeln"}}) == [1]


def test_trade_synonyms_apply_at_search_time_in_each_language(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "title": {"en": "Caterpillar excavator 320D", "ja": "油圧ショベル キャタピラー"}},
            {"id": 2, "title": {"en": "Caterpillar bulldozer D6", "ja": "ブルドーザー"}},
            {"id": 3, "title": {"zh": "二手挖掘机"}},
        ],
    )

    assert matching_ids(search_index, {"match": {"title.en": "digger"}}) == [1]
    assert matching_ids(search_index, {"match": {"title.en": "dozer"}}) == [2]
    assert matching_ids(search_index, {"match": {"title.ja": "ユンボ"}}) == [1]
    assert matching_ids(search_index, {"match": {"title.zh": "挖土机"}}) == [3]


def test_partial_model_numbers_match_through_the_ngram_subfield(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "model_number": "PC200-8"},
            {"id": 2, "model_number": "PC1250-7"},
            {"id": 3, "model_number": "ZX200"},
        ],
    )

    assert matching_ids(search_index, {"match": {"model_number.ngram": "PC20"}}) == [1]
    assert matching_ids(search_index, {"match": {"model_number.ngram": "pc 200 8"}}) == [1]
    assert analyze(search_index, "ngram_index", "PC200-8")[:3] == ["pc", "pc2", "pc20"]


def test_the_completion_suggester_completes_a_prefix(search_index: str) -> None:
    index_documents(
        search_index,
        [
            {"id": 1, "suggest": {"input": ["Komatsu PC200-8"], "contexts": {"language": ["en"]}}},
            {"id": 2, "suggest": {"input": ["Kobelco SK200"], "contexts": {"language": ["en"]}}},
        ],
    )
    body = {
        "suggest": {
            "s": {"prefix": "koma", "completion": {"field": "suggest", "contexts": {"language": ["en"]}}}
        }
    }

    response = get_client().search(index=search_index, body=body)

    assert [option["text"] for option in response["suggest"]["s"][0]["options"]] == ["Komatsu PC200-8"]


@pytest.mark.parametrize(
    "analyzer", ["en_text", "ja_text", "zh_text", "de_text", "fr_text", "cjk_bigram_text"]
)
def test_every_language_analyzer_is_defined_on_the_engine(search_index: str, analyzer: str) -> None:
    assert analyze(search_index, analyzer, "excavator 油圧ショベル") != []
