"""Server-sent events that follow a topic (`core/topics.py`): one event whenever what the
topic's readers show has changed, read back from the source of truth (`read`), never taken
from the notice. The first event comes once the subscription is confirmed (a page that
reconnects, or a tab shown again, is current at once). A stream is bounded: it ends after
MAX_SECONDS (the browser reconnects after `retry`), is kept alive by comments, and ends when
the client goes away. Under WSGI it is refused: Django would read the endless stream to its
end before sending a byte."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse

from core.api.errors import error_body
from core.topics import topic_hub

KEEPALIVE_SECONDS = 15.0
MAX_SECONDS = 600.0
RETRY_MILLISECONDS = 2000


def topic_stream(
    request: HttpRequest, *, topic: str, event: str, read: Callable[[], Awaitable[Any]]
) -> HttpResponseBase:
    """The response streaming `event` with `read()`'s JSON each time it differs from the last
    one sent, as `topic` changes (a 503 outside the ASGI server)."""
    if not isinstance(request, ASGIRequest):
        message = "Event streams are served by the ASGI server only."
        return JsonResponse(error_body("unavailable", message), status=503)
    response = StreamingHttpResponse(_events(topic, event, read), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _events(topic: str, event: str, read: Callable[[], Awaitable[Any]]) -> AsyncIterator[str]:
    ends = time.monotonic() + MAX_SECONDS
    sent: Any = None
    async with topic_hub().follow(topic) as changed:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while (left := ends - time.monotonic()) > 0:
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            changed.clear()
            shown = await read()
            if shown != sent:
                sent = shown
                yield f"event: {event}\ndata: {json.dumps(shown)}\n\n"
