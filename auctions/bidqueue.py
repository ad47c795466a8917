"""Bids arriving together on one auction over sockets, placed together.

A hot auction gets many bids at once, and each must hold the auction's row lock to be judged.
One lock, read and commit per bid caps an auction at a few dozen bids per second. Instead each
server process queues, on its event loop, the socket bids that arrive for an auction while a
batch of them is being placed; when that batch commits, everything that queued meanwhile goes in
the next one (`auctions.services.bids_place`: one transaction, each bid judged in arrival order
against the state the previous ones left). An idle auction's bid is a batch of one and waits for
nothing. (Synchronous callers, such as the REST API's request threads, batch the same way with
threads in `bid_place`; queueing here keeps the sockets' arrival order and needs no thread per
waiting bid.)

Batches run in worker threads (not Django's one thread for synchronous code), so a batch on one
auction never waits behind unrelated database work, and the processes' batches on one auction
are serialised by the row lock as before. A bidder who goes away before their bid is taken is
dropped from the batch; once taken, the bid is placed (a retry with its key gets the outcome).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from auctions.services import BidPlaced, BidSubmission, bids_place
from auctions.services.bidding import MAX_BATCH

_place = database_sync_to_async(bids_place, thread_sensitive=False)


@dataclass
class _Queue:
    waiting: list[tuple[BidSubmission, asyncio.Future[BidPlaced]]] = field(default_factory=list)
    worker: asyncio.Task[None] | None = None


_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Queue]] = weakref.WeakKeyDictionary()


async def bid_submit(*, auction_id: int, submission: BidSubmission) -> BidPlaced:
    """Place `submission` in the auction's next batch; raises the DomainError that refused it."""
    loop = asyncio.get_running_loop()
    queues = _queues.setdefault(loop, {})
    queue = queues.setdefault(auction_id, _Queue())
    placed: asyncio.Future[BidPlaced] = loop.create_future()
    queue.waiting.append((submission, placed))
    if queue.worker is None or queue.worker.done():
        queue.worker = loop.create_task(_place_batches(auction_id, queue, queues))
    return await placed


async def _place_batches(auction_id: int, queue: _Queue, queues: dict[int, _Queue]) -> None:
    try:
        while queue.waiting:
            taken, queue.waiting = queue.waiting[:MAX_BATCH], queue.waiting[MAX_BATCH:]
            batch = [(submission, placed) for submission, placed in taken if not placed.done()]
            if batch:
                await _place_batch(auction_id, batch)
    finally:
        if queues.get(auction_id) is queue and not queue.waiting:
            del queues[auction_id]


async def _place_batch(auction_id: int, batch: list[tuple[BidSubmission, asyncio.Future[BidPlaced]]]) -> None:
    try:  # bids_place answers every bid itself, even when the batch fails (see its docstring)
        outcomes = await _place(auction_id=auction_id, submissions=[submission for submission, _ in batch])
    except Exception as error:  # the worker thread could not even run it
        outcomes = [error] * len(batch)
    for (_, placed), outcome in zip(batch, outcomes, strict=True):
        _settle(placed, outcome)


def _settle(placed: asyncio.Future[BidPlaced], outcome: BidPlaced | BaseException) -> None:
    if placed.done():  # the bidder went away
        return
    if isinstance(outcome, BaseException):
        placed.set_exception(outcome)
    else:
        placed.set_result(outcome)
