"""GET /machines/<id>/watchers/stream/ - server-sent events with the number of people watching
a listing, one event when it changes, for the listing's page to keep its count current.

The watchlist's services notify the listing's topic after they commit (`core/topics.py`, so a
watch in any server process reaches every stream); the stream reads the count back from
PostgreSQL and sends it when it differs from the last it sent; the first event comes once the
subscription is confirmed (a page that reconnects, or a tab shown again, is current at once). A stream is bounded: it ends
after MAX_SECONDS (the browser reconnects after `retry`) and when the client goes away.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from channels.db import database_sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse

from core.api.errors import error_body
from core.topics import topic_hub
from marketplace import selectors
from marketplace.auth import viewer

KEEPALIVE_SECONDS = 15.0
MAX_SECONDS = 600.0
RETRY_MILLISECONDS = 2000


def watchers_topic(machine_id: int) -> str:
    return f"listing:{machine_id}:watchers"


async def watcher_stream(request: HttpRequest, machine_id: int) -> HttpResponseBase:
    visible = await database_sync_to_async(
        lambda: selectors.machine_is_visible(machine_id=machine_id, viewer=viewer(request))
    )()
    if not visible:
        return JsonResponse(error_body("not_found", "No such listing."), status=404)
    if not isinstance(request, ASGIRequest):
        # under WSGI Django would read the endless stream to its end before sending a byte
        message = "Event streams are served by the ASGI server only."
        return JsonResponse(error_body("unavailable", message), status=503)
    response = StreamingHttpResponse(_counts(machine_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _counts(machine_id: int) -> AsyncIterator[str]:
    ends = time.monotonic() + MAX_SECONDS
    sent: int | None = None
    count_now = database_sync_to_async(selectors.watcher_count)
    async with topic_hub().follow(watchers_topic(machine_id)) as changed:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while (left := ends - time.monotonic()) > 0:
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            changed.clear()
            count = await count_now(machine_id)
            if count != sent:
                sent = count
                yield f"event: watchers\ndata: {json.dumps({'count': count})}\n\n"
