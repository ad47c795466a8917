"""Index definitions and lifecycle: every index is reached through an alias that points at a
versioned concrete index (`<prefix>-machines-v<timestamp>`), so a rebuild can fill a new
index and swap the alias atomically while queries keep reading the old one."""

from __future__ import annotations

import time
from typing import Any

from search.analysis import analysis_settings
from search.client import get_client, index_name
from search.documents import machine_mapping
from search.query import CANDIDATES_PAGE

MACHINES = "machines"


def index_body(name: str) -> dict[str, Any]:
    mappings = {MACHINES: machine_mapping}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "refresh_interval": "1s",
            "analysis": analysis_settings(),
            "max_ngram_diff": 20,
            "max_result_window": CANDIDATES_PAGE,  # for candidate ids; the API caps offsets at MAX_WINDOW
        },
        "mappings": mappings[name](),
    }


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
