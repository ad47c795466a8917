"""The search engine client: built lazily from settings on first use (never at import), one
per URL so a settings override gets its own."""

from __future__ import annotations

import threading

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch_dsl import connections

_lock = threading.Lock()
_clients: dict[str, Elasticsearch] = {}


def get_client() -> Elasticsearch:
    url = settings.ELASTICSEARCH_URL
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                auth = None
                if settings.ELASTICSEARCH_USER:
                    auth = (settings.ELASTICSEARCH_USER, settings.ELASTICSEARCH_PASSWORD)
                client = Elasticsearch(
                    [url],
                    http_auth=auth,
                    timeout=settings.ELASTICSEARCH_TIMEOUT,
                    max_retries=1,
                    retry_on_timeout=False,
                )
                _clients[url] = client
                connections.add_connection("default", client)
    return client


def index_name(name: str) -> str:
    """Environment-prefixed name, so `make test` never touches `make run`'s indices."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{name}"
