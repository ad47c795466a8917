"""Index definitions and lifecycle: every index is reached through an alias that points at a
versioned concrete index (`<prefix>-machines-v<timestamp>`), so a rebuild can fill a new
index and swap the alias atomically while queries keep reading the old one."""

from __future__ import annotations

import time
from typing import Any

from search.analysis import LANGUAGE_ANALYZERS, analysis_settings, search_analyzer
from search.client import get_client, index_name

MACHINES = "machines"


def _language_text(language: str) -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": LANGUAGE_ANALYZERS[language],
        "search_analyzer": search_analyzer(language),
        "fields": {
            "ngram": {"type": "text", "analyzer": "ngram_words_index", "search_analyzer": "standard"},
        },
    }


def machine_mapping() -> dict[str, Any]:
    text_fields = {language: _language_text(language) for language in LANGUAGE_ANALYZERS}
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "title": {"properties": text_fields},
            "description": {"properties": text_fields},
            "languages": keyword,
            "model_number": {
                "type": "keyword",
                "normalizer": "lowercase_keyword",
                "fields": {"ngram": {"type": "text", "analyzer": "ngram_index", "search_analyzer": "ngram_search"}},
            },
            "maker": {
                "properties": {
                    "id": {"type": "long"},
                    "slug": keyword,
                    "name": {"type": "text", "analyzer": "en_text", "fields": {"raw": keyword}},
                }
            },
            "model": {"properties": {"id": {"type": "long"}, "slug": keyword}},
            "category": {
                "properties": {
                    "id": {"type": "long"},
                    "slug": keyword,
                    "path": keyword,  # every ancestor's slug, so a parent filter finds children
                    "names": {"properties": {language: _language_text(language) for language in LANGUAGE_ANALYZERS}},
                }
            },
            "year": {"type": "short"},
            "hours": {"type": "integer"},
            "price_eur_cents": {"type": "long"},
            "price": {"properties": {"amount": {"type": "long"}, "currency": keyword}},
            "country": keyword,
            "region": keyword,
            "status": keyword,
            "seller_id": {"type": "long"},
            "cover_photo": {"type": "keyword", "index": False},
            "published_at": {"type": "date"},
            "suggest": {
                "type": "completion",
                "analyzer": "simple",
                "preserve_separators": False,
                "contexts": [{"name": "language", "type": "category"}],
            },
        },
    }


def index_body(name: str) -> dict[str, Any]:
    mappings = {MACHINES: machine_mapping}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "refresh_interval": "1s",
            "analysis": analysis_settings(),
            "max_ngram_diff": 20,
        },
        "mappings": mappings[name](),
    }


def alias_name(name: str) -> str:
    return index_name(name)


def create_versioned_index(name: str) -> str:
    concrete = f"{alias_name(name)}-v{time.time_ns()}"
    get_client().indices.create(index=concrete, body=index_body(name))
    return concrete


def ensure_index(name: str) -> str:
    """Create the index and its alias if the alias does not exist yet; return the alias."""
    alias = alias_name(name)
    client = get_client()
    if not client.indices.exists_alias(name=alias):
        concrete = create_versioned_index(name)
        client.indices.put_alias(index=concrete, name=alias)
    return alias


def ensure_indices() -> list[str]:
    return [ensure_index(MACHINES)]
