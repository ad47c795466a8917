"""Index definitions and lifecycle: every index is reached through an alias that points at a
versioned concrete index (`<prefix>-machines-v<timestamp>`), so a rebuild can fill a new
index and swap the alias atomically while queries keep reading the old one."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from typing import Any

from search.analysis import analysis_settings
from search.client import get_client, index_name
from search.documents import machine_mapping
from search.query import CANDIDATES_PAGE

MACHINES = "machines"


def index_body(name: str) -> dict[str, Any]:
    """Settings and mappings of a new index; the mappings' `_meta.definition` is a digest of
    both, so an index built from an older definition is recognised (`definition_changed`)."""
    mappings = {MACHINES: machine_mapping}
    body = {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "refresh_interval": "1s",
            "analysis": analysis_settings(),
            "max_ngram_diff": 20,
            "max_result_window": CANDIDATES_PAGE,  # for candidate ids; the API caps offsets at MAX_WINDOW
        },
        "mappings": copy.deepcopy(mappings[name]()),  # (the document class's own dicts otherwise)
    }
    body["mappings"]["_meta"] = {"definition": definition_digest(body)}
    return body


def definition_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


def definition_changed(name: str) -> bool:
    """Whether the index behind `name`'s alias was built from another definition than the
    code's (analysers, synonyms, fields): its documents must then be indexed again."""
    alias = alias_name(name)
    mappings = get_client().indices.get_mapping(index=alias)
    built = {index["mappings"].get("_meta", {}).get("definition") for index in mappings.values()}
    return built != {index_body(name)["mappings"]["_meta"]["definition"]}


def alias_name(name: str) -> str:
    return index_name(name)


def create_versioned_index(name: str) -> str:
    concrete = f"{alias_name(name)}-v{time.time_ns()}"
    # Creating an index loads the analysers' dictionaries: give it longer than a query.
    get_client().indices.create(index=concrete, body=index_body(name), request_timeout=60)
    return concrete


def ensure_index(name: str) -> str:
    """Create the index and its alias if the alias does not exist yet; return the alias."""
    alias = alias_name(name)
    client = get_client()
    if not client.indices.exists_alias(name=alias):
        concrete = create_versioned_index(name)
        client.indices.put_alias(index=concrete, name=alias, request_timeout=60)
    else:  # an index built before a dynamic setting changed gets it without a rebuild
        client.indices.put_settings(index=alias, body={"index": {"max_result_window": CANDIDATES_PAGE}})
    return alias


def ensure_indices() -> list[str]:
    return [ensure_index(MACHINES)]
