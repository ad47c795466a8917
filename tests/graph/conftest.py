"""Fixtures of the graph tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def listings(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """The small spec catalogue (tests/graph/catalogue.py) in PostgreSQL, the search index and
    the graph, written once per module (committed, outside the per-test transactions) and
    removed when the module is done; listing key -> machine id."""
    from django.db import connection

    from tests.factories import SellerFactory
    from tests.graph.catalogue import build_spec_catalogue, remove_spec_catalogue

    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        seller = SellerFactory.create(username="spec-seller")
        try:
            yield build_spec_catalogue(seller)
        finally:
            remove_spec_catalogue()
            seller.delete()
