"""The search engine client (core.clients: built on first use, one per URL)."""

from __future__ import annotations

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch_dsl import connections

from core.clients import LazyClients


def _build(url: str) -> Elasticsearch:
    auth = (
        (settings.ELASTICSEARCH_USER, settings.ELASTICSEARCH_PASSWORD)
        if settings.ELASTICSEARCH_USER
        else None
    )
    client = Elasticsearch([url], http_auth=auth, timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=1,
                           retry_on_timeout=False)  # fmt: skip
    connections.add_connection("default", client)
    return client


_clients: LazyClients[Elasticsearch] = LazyClients(key=lambda: str(settings.ELASTICSEARCH_URL), build=_build)


def get_client() -> Elasticsearch:
    """The process's client for ELASTICSEARCH_URL."""
    return _clients.get()


def index_name(name: str) -> str:
    """Environment-prefixed name, so `make test` never touches `make run`'s indices."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{name}"
