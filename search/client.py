"""The search engine client: one, built lazily from settings on first use (never at import)."""

from __future__ import annotations

import threading

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch_dsl import connections

_lock = threading.Lock()
_client: Elasticsearch | None = None


def get_client() -> Elasticsearch:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                auth = None
                if settings.ELASTICSEARCH_USER:
                    auth = (settings.ELASTICSEARCH_USER, settings.ELASTICSEARCH_PASSWORD)
                _client = Elasticsearch(
                    [settings.ELASTICSEARCH_URL],
                    http_auth=auth,
                    timeout=settings.ELASTICSEARCH_TIMEOUT,
                    max_retries=1,
                    retry_on_timeout=False,
                )
                connections.add_connection("default", _client)
    return _client


def index_name(name: str) -> str:
    """Environment-prefixed name, so `make test` never touches `make run`'s indices."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{name}"
