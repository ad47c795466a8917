"""Fixtures of the search tests: scratch indexes, and the fixed multilingual catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def unique_name() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def search_index(unique_name: str) -> Iterator[str]:
    """A scratch index with the project's analysis settings, deleted afterwards."""
    from search.client import get_client, index_name
    from search.indices import index_body

    name = index_name(f"scratch-{unique_name}")
    body = index_body("machines")
    get_client().indices.create(index=name, body=body)
    yield name
    get_client().indices.delete(index=name, ignore=[404])


@pytest.fixture(scope="module")
def search_catalogue(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The fixed multilingual catalogue, written once per module (committed, outside the
    per-test transactions) and indexed; removed when the module is done."""
    from tests.factories import SellerFactory
    from tests.search.catalogue import build_catalogue, fresh_machine_index, remove_catalogue

    with django_db_blocker.unblock():
        fresh_machine_index()
        seller = SellerFactory.create(username="catalogue-seller")
        try:
            yield build_catalogue(seller)
        finally:
            remove_catalogue()
            seller.delete()
