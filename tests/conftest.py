"""Fixtures shared by the whole suite. Every store is the real server started by `make test`
(ops/stack.sh); nothing here replaces one with a stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.flakiness"]  # each run's outcomes and the tests that flaked, in var/reports/

REPORTS = Path(__file__).resolve().parent.parent / "var" / "reports"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _close_graph_drivers() -> Iterator[None]:
    yield
    from graph.client import close_drivers

    close_drivers()


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests (live server, browser) flush every table between tests, including the
    reference rows the migration loaded; put them back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from marketplace.reference import load_reference_data

        load_reference_data()


@pytest.fixture
def graph_clean() -> Iterator[None]:
    """The test Neo4j instance emptied before and after the test."""
    from graph.client import run_query

    run_query("MATCH (n) DETACH DELETE n")
    yield
    run_query("MATCH (n) DETACH DELETE n")


# ------------------------------------------------------------------ real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Playwright's sync API keeps an event loop running in this
    thread while it is open, which would break later tests that run their own loop, so it
    closes with the module rather than living for the whole session."""
    from playwright.sync_api import sync_playwright

    # Django's ORM refuses to run next to a running loop unless told the caller is synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """Save a full-page screenshot under var/reports/screenshots/<test name>[-label].png."""

    def take(page: Any, label: str = "") -> Path:
        folder = REPORTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_") + (f"-{label}" if label else "")
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def machine_index() -> str:
    """An empty machine index behind the test alias."""
    from tests.search.catalogue import fresh_machine_index

    return fresh_machine_index()


def database_url_for_subprocesses() -> str:
    """DATABASE_URL of the test database, for server and worker processes a test starts (they
    must see the rows a transactional test committed)."""
    from django.db import connection

    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def manage_py_process(*args: str) -> subprocess.Popen[str]:
    """`manage.py <args>` in a process of its own on the test database (a worker, the closer,
    the sink), its output and errors on one text pipe."""
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_for_subprocesses(),
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
