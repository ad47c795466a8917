"""Graceful shutdown of long-lived sockets.

When the server process is told to stop (SIGTERM, see core/server.py) it first stops
accepting connections, then asks every open socket to drain: finish what it is doing (an
in-flight bid gets its reply), tell the client to reconnect elsewhere and close with 1012
("service restart"). Only then does uvicorn's own shutdown run.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

logger = logging.getLogger(__name__)


class Drainable(Protocol):
    async def drain(self) -> None: ...


_sockets: weakref.WeakSet[Drainable] = weakref.WeakSet()


def socket_register(socket: Drainable) -> None:
    _sockets.add(socket)


def socket_unregister(socket: Drainable) -> None:
    _sockets.discard(socket)


async def sockets_drain(*, timeout: float) -> None:
    """Drain every open socket at once; give up on the stragglers after `timeout` seconds."""
    tasks = [asyncio.ensure_future(socket.drain()) for socket in list(_sockets)]
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            logger.warning("a socket failed to drain", exc_info=task.exception())
    if pending:
        logger.warning("%s socket(s) still busy after %.1f s; closing them anyway", len(pending), timeout)
        for task in pending:
            task.cancel()
