"""GET /api/auctions/events/?ids=1,2,3 — server-sent events for many auctions on one
connection, an event only when one of them changes.

Every event's `id` is the client's whole position, `auction:seq` pairs (`1:5,2:9`), so the
browser's automatic `Last-Event-ID` on reconnect resumes every auction at once: the bids after
those seqs are replayed from PostgreSQL before live events flow. Live events come from the
auctions' channel-layer groups, so a bid accepted by any server process reaches every stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse

from auctions.broadcast import group_name
from auctions.models import Auction
from auctions.selectors import bids_since
from config.api_errors import error_body

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


async def auction_events(request: HttpRequest) -> HttpResponse:
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
    resume = parse_position(request.headers.get("Last-Event-ID", "") or request.GET.get("last_event_id", ""))
    response = StreamingHttpResponse(_stream(ids, current, resume), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _stream(ids: list[int], current: dict[int, int], resume: dict[int, int]) -> AsyncIterator[str]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for auction_id in ids:
        await layer.group_add(group_name(auction_id), channel)
    position = {auction_id: resume.get(auction_id, current[auction_id]) for auction_id in ids}
    try:
        yield "retry: 2000\n\n"
        # Subscribed first, then replayed: a bid committed in between arrives both ways and
        # the seq check below drops the duplicate, so nothing falls in the gap.
        for auction_id in ids:
            for bid in await database_sync_to_async(bids_since)(auction_id, position[auction_id]):
                position[auction_id] = bid["seq"]
                yield format_event(
                    "new_bid",
                    {"auctionId": auction_id, "seq": bid["seq"], "highestBid": bid, "replayed": True},
                    position,
                )
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            event = message["message"]
            payload = event["payload"]
            auction_id, seq = payload["auctionId"], payload.get("seq")
            if seq is None:  # presence: not part of the auction's numbered stream
                yield format_event(event["event"], payload, position)
                continue
            if seq <= position.get(auction_id, 0):
                continue
            position[auction_id] = seq
            yield format_event(event["event"], payload, position)
    finally:
        for auction_id in ids:
            await layer.group_discard(group_name(auction_id), channel)
