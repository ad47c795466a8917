"""Sends the alerts' email: builds the daily digests that are due and sends the queue
(`alerts/sender.py` says how each email goes at most once). Wakes on the NOTIFY that queuing
an email sends at commit, and polls meanwhile (retries and digests fall due with time). Stops
between rounds on SIGTERM. Safe to run in several processes."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from alerts.digests import digests_due
from alerts.outgoing import NOTIFY_CHANNEL
from alerts.sender import BATCH, emails_send_due
from core.listening import Listener
from core.stopping import StopFlag

DIGEST_EVERY = 30.0  # seconds between looks for due digests (they are due at a minute's grain)


class Command(BaseCommand):
    help = "Send queued alert emails and the daily digests, continuously (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Build due digests, send what is due, exit.")
        parser.add_argument("--poll-seconds", type=float, default=2.0)

    def handle(self, *args: Any, once: bool, poll_seconds: float, **options: Any) -> None:
        stop = StopFlag()
        listener = None if once else Listener(NOTIFY_CHANNEL)
        self.stdout.write("alerts sender started")  # tests and supervisors wait for this line
        self.stdout.flush()
        last_digests = 0.0
        while not stop.requested:
            close_old_connections()
            if time.monotonic() - last_digests >= DIGEST_EVERY or once:
                built = digests_due(now=timezone.now())
                last_digests = time.monotonic()
                if built:
                    self._say(f"built {built} digest(s)")
            while not stop.requested:
                outcome = emails_send_due()
                if outcome.claimed or outcome.uncertain or outcome.failed:
                    self._say(
                        f"sent {outcome.sent}, retrying {outcome.retried}, failed {outcome.failed}, "
                        f"uncertain {outcome.uncertain}"
                    )
                if outcome.claimed < BATCH:
                    break
            if once:
                return
            deadline = time.monotonic() + poll_seconds
            while not stop.requested and time.monotonic() < deadline:
                if listener is not None and listener.wait(min(1.0, deadline - time.monotonic())):
                    break
        if listener is not None:
            listener.close()
        self._say("alerts sender stopped")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
