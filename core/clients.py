"""Clients of the backing services, built lazily and kept per process.

Django's `utils/connection.py` is the model: nothing connects at import time; the first use
builds the client from settings; later uses get the same one. A client is keyed by the setting
it is built from (a URL), so a test or a command that points the setting elsewhere gets a
client of its own instead of silently reusing the old one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Client = TypeVar("Client")


class LazyClients(Generic[Client]):
    def __init__(
        self,
        *,
        key: Callable[[], str],
        build: Callable[[str], Client],
        close: Callable[[Client], object] | None = None,
    ) -> None:
        """`key()` names the client the settings ask for now (its URL); `build(key)` makes it;
        `close(client)` releases one (connection pools)."""
        self._key = key
        self._build = build
        self._close = close
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}

    def get(self) -> Client:
        key = self._key()
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self._build(key)
        return client

    def close_all(self) -> None:
        with self._lock:
            if self._close is not None:
                for client in self._clients.values():
                    self._close(client)
            self._clients.clear()
