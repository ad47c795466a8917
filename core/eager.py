"""Run a coroutine eagerly: now, in the caller's step, up to its first suspension.

Python 3.12's `asyncio.eager_task_factory` does this for every task; on 3.11 it is done by hand
here for one hot path. Sending an event to a socket almost never waits (only when the client's
buffer is full), so fanning one event out to thousands of sockets this way needs no task, no
scheduling round and no lock per socket. A coroutine that does suspend continues in a task
(returned), exactly where it stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coroutine` until it finishes (returns None) or suspends (returns the task that
    finishes it). Exceptions raised before the first suspension propagate to the caller."""
    try:
        awaited = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_resume(coroutine, awaited))


async def _resume(coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
    """Drive `coroutine` on like a task would: wait for what it yielded, then resume it (an
    asyncio future hands its outcome to the coroutine itself, through `result()`)."""
    try:
        while True:
            if awaited is None:  # a bare yield: give the loop one round
                await asyncio.sleep(0)
            else:
                await asyncio.wait([awaited])
            try:
                awaited = coroutine.send(None)
            except StopIteration:
                return
    except asyncio.CancelledError:
        coroutine.close()
        raise
