"""What one request may cost a server process, against a real server process: bodies past
their route's cap are refused before they are read, requests past the process's pool get a
503, and /healthz reports a request that has stopped moving."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from django.conf import settings

from marketplace.models import Machine
from tests.auctions.cluster import Node, process_environment, token_for, wait_until
from tests.conftest import database_url_for_subprocesses
from tests.factories import MachineFactory, model_with_specs

pytestmark = pytest.mark.django_db(transaction=True)

SLOTS = 3


@pytest.fixture
def node() -> Iterator[Node]:
    server = Node(process_environment(REQUESTS_IN_FLIGHT=str(SLOTS), REQUEST_STUCK_SECONDS="1")).start()
    yield server
    server.stop()


@pytest.fixture
def listing() -> Machine:
    return MachineFactory.create(model=model_with_specs())


def test_a_body_past_the_api_cap_is_refused_before_it_is_read(node: Node, listing: Machine) -> None:
    token = token_for(listing.seller)
    body = b'{"region": "' + b"x" * (20 * 1024 * 1024) + b'"}'

    response = httpx.patch(
        f"{node.http}/api/v1/machines/{listing.pk}/",
        content=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        timeout=30,
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert response.elapsed.total_seconds() < 2
    listing.refresh_from_db()
    assert listing.region == ""


def test_a_chunked_body_is_cut_off_at_the_cap(node: Node, listing: Machine) -> None:
    token = token_for(listing.seller)

    def chunks() -> Iterator[bytes]:
        yield b'{"region": "'
        for _ in range(64):  # 4 MB, with no Content-Length
            yield b"x" * 65536
        yield b'"}'

    with httpx.Client(timeout=30) as client:
        try:
            response = client.patch(
                f"{node.http}/api/v1/machines/{listing.pk}/",
                content=chunks(),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
        except httpx.WriteError:  # the server answered and closed while the client still sent
            response = None
    if response is not None:
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "body_too_large"
    listing.refresh_from_db()
    assert listing.region == ""


def test_each_route_has_its_own_cap(node: Node, listing: Machine) -> None:
    body = b"x" * (settings.API_MAX_BODY + 1)
    headers = {"Content-Type": "application/octet-stream"}

    json_route = httpx.post(f"{node.http}/api/v1/machines/", content=body, headers=headers, timeout=30)
    upload_route = httpx.post(
        f"{node.http}/api/v1/machines/{listing.pk}/photos/", content=body, headers=headers, timeout=30
    )

    assert json_route.status_code == 413
    assert upload_route.status_code == 401  # past the cap of JSON routes, within the uploads'


class LockedListing:
    """Holds the listing's row lock from another database session, so that requests writing
    it wait inside the server until `release`."""

    def __init__(self, machine_id: int) -> None:
        self.connection = psycopg.connect(database_url_for_subprocesses())
        self.connection.execute("SELECT id FROM marketplace_machine WHERE id = %s FOR UPDATE", [machine_id])

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def patch_in_background(node: Node, listing: Machine, results: list[Any]) -> threading.Thread:
    token = token_for(listing.seller)

    def run() -> None:
        results.append(
            httpx.patch(
                f"{node.http}/api/v1/machines/{listing.pk}/",
                json={"region": "Chiba"},
                headers={"Authorization": f"Token {token}"},
                timeout=60,
            ).status_code
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiting_on_the_lock(count: int) -> None:
    """Until `count` requests wait on a row lock inside the server (seen from PostgreSQL, so
    that no probe of ours takes a slot of the pool meanwhile)."""
    observer = psycopg.connect(database_url_for_subprocesses(), autocommit=True)

    def waiting() -> bool:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
        return row is not None and row[0] == count

    try:
        wait_until(waiting, timeout=20, what=f"{count} requests waiting on the lock")
    finally:
        observer.close()


def test_requests_past_the_pool_get_a_503_and_health_reports_a_stuck_request(
    node: Node, listing: Machine
) -> None:
    lock = LockedListing(listing.pk)
    results: list[int] = []
    threads = []
    try:
        # given a request stuck behind a row lock
        threads.append(patch_in_background(node, listing, results))
        waiting_on_the_lock(1)

        # then health says a request has stopped moving
        wait_until(
            lambda: httpx.get(f"{node.http}/healthz", timeout=10).status_code == 503,
            timeout=20,
            what="health 503",
        )
        health = httpx.get(f"{node.http}/healthz", timeout=10).json()
        assert health["checks"]["requests"]["status"] == "down"
        assert "has run" in health["checks"]["requests"]["error"]

        # when the pool fills up
        threads += [patch_in_background(node, listing, results) for _ in range(SLOTS - 1)]
        waiting_on_the_lock(SLOTS)

        # then one more request is refused at once, with the error body and a Retry-After
        refused = httpx.get(f"{node.http}/api/v1/categories/", timeout=10)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "overloaded"
        assert refused.headers["Retry-After"] == "1"
        assert httpx.get(f"{node.http}/healthz", timeout=10).status_code == 503
    finally:
        lock.release()
        for thread in threads:
            thread.join(timeout=60)

    # and once the lock is gone every waiting request is served, and health recovers
    assert results == [200] * SLOTS
    assert httpx.get(f"{node.http}/healthz", timeout=10).status_code == 200
    listing.refresh_from_db()
    assert listing.region == "Chiba"
