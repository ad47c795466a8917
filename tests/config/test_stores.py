"""Each backing service, used for real: PostgreSQL, the Redis channel layer, Neo4j over Bolt."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from graph.client import run_query


@pytest.mark.django_db
def test_a_row_written_to_postgresql_is_read_back() -> None:
    # given a user written through the ORM
    user_model = get_user_model()
    user_model.objects.create_user(username="pg-roundtrip", email="pg@example.com", password="x" * 12)

    # when it is read in a fresh query
    stored = user_model.objects.values("username", "email").get(username="pg-roundtrip")

    # then the database returns what was written
    assert stored == {"username": "pg-roundtrip", "email": "pg@example.com"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int >= 150000")
        assert cursor.fetchone() == (True,)


def test_a_message_crosses_the_redis_channel_layer_between_two_layer_instances() -> None:
    # Two layer instances with their own connections stand for two server processes.
    async def scenario() -> dict[str, object]:
        sender = RedisChannelLayer(hosts=[settings.REDIS_URL])
        receiver = RedisChannelLayer(hosts=[settings.REDIS_URL])
        channel = await receiver.new_channel()
        await receiver.group_add("platform-test", channel)
        try:
            await sender.group_send("platform-test", {"type": "greeting", "text": "hello across processes"})
            return await asyncio.wait_for(receiver.receive(channel), timeout=5)
        finally:
            await receiver.group_discard("platform-test", channel)
            await sender.flush()
            await sender.close_pools()
            await receiver.close_pools()

    message = async_to_sync(scenario)()

    assert message == {"type": "greeting", "text": "hello across processes"}


def test_the_configured_channel_layer_is_redis() -> None:
    assert isinstance(get_channel_layer(), RedisChannelLayer)


@pytest.mark.usefixtures("graph_clean")
def test_a_node_written_through_bolt_is_read_back() -> None:
    # given a node created with parameters
    run_query("CREATE (:Maker {id: $id, name: $name})", {"id": 7, "name": "Komatsu"})

    # when it is matched
    rows = run_query("MATCH (m:Maker {id: $id}) RETURN m.name AS name, m.id AS id", {"id": 7})

    # then exactly that node comes back
    assert rows == [{"name": "Komatsu", "id": 7}]


@pytest.mark.django_db(transaction=True)
def test_requests_to_a_server_process_reuse_pooled_connections() -> None:
    """Django under ASGI runs each request's synchronous code in a context of its own, where a
    persistent connection is never found again (each request opened one): the server
    process's pool hands the same connection to request after request."""
    import httpx

    from tests.auctions.cluster import Node, process_environment

    # given a server whose PostgreSQL sessions are named, so that they can be told apart
    node = Node(process_environment(PGAPPNAME="pool-under-test")).start()
    try:
        seen: set[int] = set()
        for _ in range(10):
            # when request after request reads the database
            assert (
                httpx.get(f"{node.http}/healthz", timeout=10).json()["checks"]["database"]["status"] == "ok"
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'pool-under-test'")
                seen.update(pid for (pid,) in cursor.fetchall())
    finally:
        node.stop()

    # then the pool's sessions served them all (one, or two when the first request came while
    # the pool was still opening its first); a session per request made 11 here
    assert 1 <= len(seen) <= 2
