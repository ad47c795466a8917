"""Per-language analysis for the search indices.

English and German use Lucene's stemmers; Japanese titles and names use kuromoji
(morphological), Chinese ones smartcn (dictionary word segmentation); Japanese and Chinese
descriptions are indexed as CJK bigrams (LONG_TEXT_ANALYZERS).
Every language gets the trade synonyms at search time (synonym_graph), and model numbers
get an edge-ngram subfield so `PC20` finds `PC200-8`, and a series subfield so `PC200` is
told from `PC2000`. German texts are indexed with the kind of machine a compound names
(GERMAN_HEADS).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.txt"

# language code -> analyzer used at index time for that language's text fields
LANGUAGE_ANALYZERS: dict[str, str] = {
    "en": "en_text",
    "ja": "ja_text",
    "zh": "zh_text",
    "de": "de_text",
    "fr": "fr_text",
}


@cache
def trade_synonyms() -> tuple[str, ...]:
    lines = SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# Unicode dashes a model number may be typed with: PC200 U+2010 8 is "PC200-8".
DASHES = "\\u2010-\\u2015\\u2212\\ufe58\\ufe63"
MODEL_NUMBER_PUNCTUATION = f"[\\s\\-_/.{DASHES}]"
# German names a kind of machine with one word whose last part says what it is: a Kettenbagger
# and a Minibagger are Bagger, a Baggerlader is a Lader, a Mobilkran a Kran. German texts are
# indexed with that last part beside the whole word, so "Bagger" finds every kind of Bagger;
# queries are not split ("Kettenbagger" asks for crawler excavators, not every excavator).
GERMAN_HEADS = ("bagger", "lader", "kran", "krane", "raupe", "walze", "dozer", "dumper", "kipper")
# Scripts written in Latin letters: their analysers also fold diacritics ("Sennébogen").
LATIN_ANALYZERS = (
    "en_text",
    "en_search",
    "de_text",
    "de_index",
    "de_search",
    "fr_text",
    "fr_search",
    "spelling",
)


def analysis_settings() -> dict[str, Any]:
    """The analysers of every text field. Each reads the text through ICU's NFKC case folding
    first (full-width PC200 is "pc200", half-width katakana are full-width ones, "LIEBHERR" is
    "liebherr"), and the
    Latin-script ones fold diacritics too, at index and at search time alike."""
    settings = _analysis()
    for name, analyzer in settings["analyzer"].items():
        analyzer["char_filter"] = ["icu_nfkc_cf", *analyzer.get("char_filter", [])]
        if name in LATIN_ANALYZERS:
            analyzer["filter"] = [*analyzer["filter"], "icu_folding"]
    settings["normalizer"]["lowercase_keyword"]["char_filter"] = ["icu_nfkc_cf"]
    return settings


def _analysis() -> dict[str, Any]:
    synonyms = list(trade_synonyms())
    return {
        "char_filter": {
            "icu_nfkc_cf": {"type": "icu_normalizer", "name": "nfkc_cf"},
            "model_number_punctuation": {
                "type": "pattern_replace",
                "pattern": MODEL_NUMBER_PUNCTUATION,
                "replacement": "",
            },
            # "PC200-8" → "pc/200/8": the places a model number's series may end
            "model_number_parts": {
                "type": "pattern_replace",
                "pattern": f"{MODEL_NUMBER_PUNCTUATION}+|(?<=\\p{{L}})(?=\\p{{N}})|(?<=\\p{{N}})(?=\\p{{L}})",
                "replacement": "/",
            },
        },
        "tokenizer": {
            "ja_tokenizer": {"type": "kuromoji_tokenizer", "mode": "search"},
            "model_number_series": {"type": "path_hierarchy", "delimiter": "/"},
            "model_edge_ngram": {
                "type": "edge_ngram",
                "min_gram": 2,
                "max_gram": 15,
                "token_chars": ["letter", "digit"],
            },
        },
        "filter": {
            "en_possessive": {"type": "stemmer", "language": "possessive_english"},
            "en_stop": {"type": "stop", "stopwords": "_english_"},
            "en_stemmer": {"type": "stemmer", "language": "english"},
            "de_stop": {"type": "stop", "stopwords": "_german_"},
            "de_stemmer": {"type": "stemmer", "language": "light_german"},
            "de_compound_heads": {
                "type": "pattern_capture",
                "preserve_original": True,
                "patterns": [f"^\\p{{L}}{{3,}}({'|'.join(GERMAN_HEADS)})$"],
            },
            "without_slashes": {"type": "pattern_replace", "pattern": "/", "replacement": ""},
            "fr_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": ["l", "d", "j", "qu", "n", "s", "c", "m", "t"],
            },
            "fr_stop": {"type": "stop", "stopwords": "_french_"},
            "fr_stemmer": {"type": "stemmer", "language": "light_french"},
            "trade_synonyms": {"type": "synonym_graph", "synonyms": synonyms, "lenient": True},
            "ja_stop_words": {"type": "ja_stop"},
            "edge_2_15": {"type": "edge_ngram", "min_gram": 2, "max_gram": 15},
        },
        "analyzer": {
            "en_text": {
                "tokenizer": "standard",
                "filter": ["en_possessive", "lowercase", "en_stop", "en_stemmer"],
            },
            "en_search": {
                "tokenizer": "standard",
                "filter": ["en_possessive", "lowercase", "trade_synonyms", "en_stop", "en_stemmer"],
            },
            "ja_text": {
                "tokenizer": "ja_tokenizer",
                "filter": [
                    "kuromoji_baseform",
                    "kuromoji_part_of_speech",
                    "cjk_width",
                    "ja_stop_words",
                    "kuromoji_stemmer",
                    "lowercase",
                ],
            },
            "ja_search": {
                "tokenizer": "ja_tokenizer",
                "filter": [
                    "kuromoji_baseform",
                    "kuromoji_part_of_speech",
                    "cjk_width",
                    "trade_synonyms",
                    "ja_stop_words",
                    "kuromoji_stemmer",
                    "lowercase",
                ],
            },
            "zh_text": {"tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
            "zh_search": {"tokenizer": "smartcn_tokenizer", "filter": ["lowercase", "trade_synonyms"]},
            "de_text": {
                "tokenizer": "standard",
                "filter": ["lowercase", "de_stop", "german_normalization", "de_stemmer"],
            },
            "de_index": {
                "tokenizer": "standard",
                "filter": ["lowercase", "de_stop", "de_compound_heads", "german_normalization", "de_stemmer"],
            },
            "de_search": {
                "tokenizer": "standard",
                "filter": ["lowercase", "trade_synonyms", "de_stop", "german_normalization", "de_stemmer"],
            },
            "fr_text": {
                "tokenizer": "standard",
                "filter": ["fr_elision", "lowercase", "fr_stop", "fr_stemmer"],
            },
            "fr_search": {
                "tokenizer": "standard",
                "filter": ["fr_elision", "lowercase", "trade_synonyms", "fr_stop", "fr_stemmer"],
            },
            "spelling": {"tokenizer": "standard", "filter": ["lowercase"]},
            "cjk_bigram_text": {"tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
            # Partial words and model numbers: "PC20" finds "PC200-8" (punctuation folded away).
            "ngram_index": {
                "tokenizer": "keyword",
                "char_filter": ["model_number_punctuation"],
                "filter": ["lowercase", "edge_2_15"],
            },
            # A model number's series: "PC200-8" is indexed as "pc", "pc200" and "pc2008" (every
            # prefix ending where letters meet digits or at punctuation), so "PC200" finds the
            # PC200-8 and the PC200-10 but not the PC2000-8, which the edge ngrams also start.
            "series_index": {
                "tokenizer": "model_number_series",
                "char_filter": ["model_number_parts"],
                "filter": ["lowercase", "without_slashes"],
            },
            "ngram_words_index": {"tokenizer": "model_edge_ngram", "filter": ["lowercase"]},
            "ngram_search": {
                "tokenizer": "keyword",
                "char_filter": ["model_number_punctuation"],
                "filter": ["lowercase"],
            },
        },
        "normalizer": {
            "lowercase_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
        },
    }


# Long texts (descriptions) in Japanese and Chinese are indexed as CJK bigrams: morphological
# analysis of every description was a third of a full reindex's engine time. Titles, category
# and maker names keep the morphological analysers and the trade synonyms, which rank first.
LONG_TEXT_ANALYZERS: dict[str, str] = {**LANGUAGE_ANALYZERS, "ja": "cjk_bigram_text", "zh": "cjk_bigram_text"}


def search_analyzer(language: str, *, long_text: bool = False) -> str:
    """The analyser a query reads a language field with: its index analyser plus the trade
    synonyms (bigram fields read the words as written: synonyms do not survive bigrams)."""
    analyzer = (LONG_TEXT_ANALYZERS if long_text else LANGUAGE_ANALYZERS)[language]
    return analyzer.replace("_text", "_search") if analyzer in LANGUAGE_ANALYZERS.values() else analyzer


def index_analyzer(language: str, *, long_text: bool = False) -> str:
    """The analyser a language field is indexed with: its text analyser, but German's also
    keeps the last part of a compound (GERMAN_HEADS)."""
    analyzer = (LONG_TEXT_ANALYZERS if long_text else LANGUAGE_ANALYZERS)[language]
    return "de_index" if analyzer == "de_text" else analyzer
