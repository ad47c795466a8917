"""Waiting for a PostgreSQL NOTIFY, for the workers that wake when a commit queues work for
them (the outbox worker, the alerts sender) and poll meanwhile. The LISTEN connection is its
own (autocommit, outside Django's pool); when it fails the wait falls back to sleeping and
the next wait connects again, so a PostgreSQL restart costs a poll, never the worker."""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg
from django.db import connection

logger = logging.getLogger(__name__)


class Listener:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._connection: psycopg.Connection[Any] | None = self._listen()

    def _listen(self) -> psycopg.Connection[Any] | None:
        try:
            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            listener = psycopg.connect(**params, autocommit=True)
            listener.execute(f"LISTEN {self.channel}")
            return listener
        except psycopg.Error as error:
            logger.warning("LISTEN %s unavailable (%s); polling", self.channel, error)
            return None

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for a notification; whether one arrived."""
        seconds = max(seconds, 0.01)
        if self._connection is None:
            time.sleep(seconds)  # no LISTEN connection: plain polling until it comes back
            self._connection = self._listen()
            return False
        try:
            return any(True for _ in self._connection.notifies(timeout=seconds, stop_after=1))
        except psycopg.Error:
            self._connection.close()
            self._connection = None
            return False

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
