"""core/topics.py against the real Redis: followers of different topics that start together
(while the hub's connection is still subscribing) are each confirmed and each notified."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from core.topics import notify, topic_hub


@pytest.mark.parametrize("followers", [2, 5])
def test_topics_followed_together_while_the_hub_connects_are_all_subscribed(followers: int) -> None:
    topics = [f"test:{uuid.uuid4().hex}" for _ in range(followers)]

    async def follow(topic: str, subscribed: asyncio.Event, notified: asyncio.Event) -> None:
        async with topic_hub().follow(topic) as changed:
            await asyncio.wait_for(changed.wait(), timeout=10)  # the subscription confirmed
            changed.clear()
            subscribed.set()
            await asyncio.wait_for(changed.wait(), timeout=10)  # the notice
            notified.set()

    async def scenario() -> None:
        subscribed = [asyncio.Event() for _ in topics]
        notified = [asyncio.Event() for _ in topics]
        tasks = []
        for topic, s, n in zip(topics, subscribed, notified, strict=True):
            tasks.append(asyncio.create_task(follow(topic, s, n)))
            for _ in range(2):  # the first follower's hub is connecting when the next one comes
                await asyncio.sleep(0)
        await asyncio.wait_for(asyncio.gather(*(s.wait() for s in subscribed)), timeout=10)
        for topic in topics:
            await asyncio.to_thread(notify, topic)
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
        assert all(n.is_set() for n in notified)

    asyncio.run(scenario())
