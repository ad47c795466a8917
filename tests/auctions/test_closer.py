"""Two closer processes race for the same auctions: each auction closes exactly once, never
before its end. That it closes at its end is the closing service's rule, tested with the clock
given (no test here depends on how fast the machine is)."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from auctions.models import Auction
from auctions.services import auctions_close_due, bid_place
from tests.conftest import manage_py_process
from tests.factories import UserFactory, eur, open_auction

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def closer() -> subprocess.Popen[str]:
    return manage_py_process("auction_closer", "--interval", "0.1")


def started(process: subprocess.Popen[str]) -> subprocess.Popen[str]:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "auction closer started"  # blocks until Django is up
    return process


def test_an_auction_closes_at_its_end_and_not_a_moment_before() -> None:
    auction = open_auction(kind="sudden_death", seconds=3600)
    assert auction.ends_at is not None

    assert auctions_close_due(now=auction.ends_at - timedelta(microseconds=1)) == []
    closed = auctions_close_due(now=auction.ends_at)

    assert [result.auction.pk for result in closed] == [auction.pk]
    auction.refresh_from_db()
    assert auction.closed_at == auction.ends_at


def test_two_closers_close_each_auction_once_and_never_early() -> None:
    processes = [started(closer()), started(closer())]
    auctions = []
    for offset in (2, 3):
        auctions.append(open_auction(kind="sudden_death", seconds=offset))
    winner = UserFactory.create()
    bid_place(auction_id=auctions[0].pk, bidder=winner, amount=eur(100_000), idempotency_key="w")
    try:
        deadline = time.monotonic() + 20
        while Auction.objects.filter(closed_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the closers did not close the auctions"
            time.sleep(0.1)
    finally:
        outputs = []
        for process in processes:
            process.send_signal(signal.SIGTERM)
            outputs.append(process.communicate(timeout=30)[0])

    closed_lines = [
        line for output in outputs for line in output.splitlines() if line.startswith("closed auction")
    ]
    assert sorted(closed_lines) == sorted(
        [
            f"closed auction {auctions[0].pk} winner={winner.pk}",
            f"closed auction {auctions[1].pk} winner=None",
        ]
    )
    for auction in Auction.objects.all():
        assert auction.closed_at is not None
        assert auction.closed_at >= auction.ends_at
