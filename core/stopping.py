"""Polling workers (the outbox worker, the auction closer) stop between rounds on SIGTERM or
SIGINT: the signal only raises a flag, and the loop finishes the round it is in."""

from __future__ import annotations

import signal
from typing import Any


class StopFlag:
    """`requested` turns true on SIGTERM or SIGINT once this is created (in the main thread)."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, signum: int, frame: Any) -> None:
        self.requested = True
