"""Fixtures of the alerts tests: the in-process SMTP server (tests/alerts/mailbox.py) and the
saved searches' percolator index."""

from __future__ import annotations

import pytest

from tests.alerts.mailbox import smtp_server, smtp_settings

__all__ = ["percolator_index", "smtp_server", "smtp_settings"]


@pytest.fixture
def percolator_index(machine_index: str) -> str:
    """An empty machine index and a saved searches' percolator index rebuilt from the test's
    rows (none but its own), behind their aliases."""
    from alerts.percolator import alias, rebuild_percolator_index
    from search.client import get_client

    get_client().indices.delete(index=f"{alias()}-v*", ignore=[404])
    rebuild_percolator_index()
    return alias()
