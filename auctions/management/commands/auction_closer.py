"""Closes auctions when their end passes, driven from the database: every instance polls for
due auctions and closes each under its row lock (SKIP LOCKED), so any number of processes can
run it and each auction closes exactly once, whichever process dies. No in-memory timers."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from auctions.services import auction_reminders_due, auctions_close_due
from core.stopping import StopFlag


class Command(BaseCommand):
    help = "Close auctions whose end has passed and remind their watchers and bidders (safe to run in several processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=0.25, help="Seconds between polls (default 0.25)."
        )
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        stop = StopFlag()
        self.stdout.write("auction closer started")  # tests and supervisors wait for this line
        self.stdout.flush()
        while not stop.requested:
            close_old_connections()
            for closed in auctions_close_due():
                self.stdout.write(
                    f"closed auction {closed.auction.pk} winner={closed.auction.winner_id}", ending="\n"
                )
                self.stdout.flush()
            auction_reminders_due()  # started, ending in an hour, in ten minutes
            if once:
                return
            time.sleep(interval)  # the poll period bounds how late a close can be
        self.stdout.write("auction closer stopped")
