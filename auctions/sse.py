"""GET /api/auctions/events/?ids=1,2,3 — server-sent events for many auctions on one
connection, an event only when one of them changes.

Every event's `id` is the client's whole position, `auction:seq` pairs (`1:5,2:9`), so the
browser's automatic `Last-Event-ID` on reconnect resumes every auction at once: the events
after those seqs (bids, extensions, ends) are replayed from the auctions' event logs before
live events flow. Live events come through the
process's auction hub (`auctions/hub.py`), so a bid accepted by any server process reaches every
stream; when the hub may have missed some (Redis restarted), the stream catches up from
PostgreSQL the same way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse

from auctions.hub import Inbox, auction_hub
from auctions.models import Auction
from auctions.selectors import REPLAY_PAGE, events_since
from core.api.errors import error_body

MAX_AUCTIONS = 50
KEEPALIVE_SECONDS = 15.0


def parse_ids(raw: str) -> list[int] | None:
    try:
        ids = sorted({int(part) for part in raw.split(",") if part.strip()})
    except ValueError:
        return None
    return ids if 0 < len(ids) <= MAX_AUCTIONS and all(i > 0 for i in ids) else None


def parse_position(raw: str) -> dict[int, int]:
    position: dict[int, int] = {}
    for pair in raw.split(","):
        auction, _, seq = pair.partition(":")
        if auction.strip().isdigit() and seq.strip().isdigit():
            position[int(auction)] = int(seq)
    return position


def format_event(name: str, payload: dict[str, Any], position: dict[int, int]) -> str:
    cursor = ",".join(f"{auction}:{seq}" for auction, seq in sorted(position.items()))
    return f"id: {cursor}\nevent: {name}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


async def auction_events(request: HttpRequest) -> HttpResponseBase:
    ids = parse_ids(request.GET.get("ids", ""))
    if ids is None:
        message = f"Give ids=1,2,3: between 1 and {MAX_AUCTIONS} auction ids."
        return JsonResponse(error_body("validation_error", message, {"ids": [message]}), status=400)
    current = await database_sync_to_async(
        lambda: dict(Auction.objects.filter(pk__in=ids).values_list("pk", "last_seq"))
    )()
    if set(current) != set(ids):
        missing = sorted(set(ids) - set(current))
        return JsonResponse(error_body("not_found", f"No such auction(s): {missing}."), status=404)
    if not isinstance(request, ASGIRequest):
        # under WSGI Django would read the endless stream to its end before sending a byte,
        # holding a worker for ever (the test suite's live server is one)
        message = "Event streams are served by the ASGI server only."
        return JsonResponse(error_body("unavailable", message), status=503)
    resume = parse_position(request.headers.get("Last-Event-ID", "") or request.GET.get("last_event_id", ""))
    response = StreamingHttpResponse(_stream(ids, current, resume), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _stream(ids: list[int], current: dict[int, int], resume: dict[int, int]) -> AsyncIterator[str]:
    inbox = Inbox()
    hub = auction_hub()
    position = {auction_id: resume.get(auction_id, current[auction_id]) for auction_id in ids}

    async def catch_up(auctions: list[int], before: int | None = None) -> AsyncIterator[str]:
        """Each auction's events after its position (and before `before`) from its event log."""
        for auction_id in auctions:
            while True:
                messages = await database_sync_to_async(events_since)(
                    auction_id, position[auction_id], before=before
                )
                for message in messages:
                    position[auction_id] = message["payload"]["seq"]
                    yield format_event(message["event"], message["payload"], position)
                if len(messages) < REPLAY_PAGE:
                    break

    try:
        for auction_id in ids:
            await hub.join(auction_id, inbox)
        yield "retry: 2000\n\n"
        # Subscribed first, then replayed: a bid committed in between arrives both ways and
        # the seq check below drops the duplicate, so nothing falls in the gap.
        async for chunk in catch_up(ids):
            yield chunk
        while True:
            try:
                event = await asyncio.wait_for(inbox.queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if event is None:
                async for chunk in catch_up(ids):
                    yield chunk
                continue
            if event.seq is None:  # presence: not part of the auction's numbered stream
                yield format_event(event.message["event"], event.message["payload"], position)
                continue
            if event.seq <= position.get(event.auction_id, 0):
                continue
            if event.seq > position[event.auction_id] + 1:  # another process's event overtook it
                async for chunk in catch_up([event.auction_id], before=event.seq):
                    yield chunk
            position[event.auction_id] = event.seq
            yield format_event(event.message["event"], event.message["payload"], position)
    finally:
        for auction_id in ids:
            await hub.leave(auction_id, inbox)
