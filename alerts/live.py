"""GET /notifications/stream/ - server-sent events with the signed-in person's unread count,
for the header's bell on every page to stay current without a reload.

`notify` and `notifications_mark_read` notify the person's bell topic after they commit
(`core/topics.py`, so a bid placed in any server process reaches every stream); the stream
reads the count back from PostgreSQL, with the newest unread notification's sentence for the
page to announce, and sends them when the count or the newest differs from what it last sent.
The first event comes once the subscription is confirmed (a tab shown again is current at
once). A stream is bounded as the watcher count's is (marketplace/live.py): it ends after
MAX_SECONDS (the browser reconnects after `retry`) and when the client goes away.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils import translation

from alerts import selectors
from alerts.services import bell_topic
from core.api.errors import error_body
from core.topics import topic_hub
from marketplace.auth import viewer

KEEPALIVE_SECONDS = 15.0
MAX_SECONDS = 600.0
RETRY_MILLISECONDS = 2000


async def bell_stream(request: HttpRequest) -> HttpResponseBase:
    user = await database_sync_to_async(lambda: viewer(request))()
    if user is None:
        return JsonResponse(
            error_body("not_authenticated", "Sign in to follow your notifications."), status=401
        )
    if not isinstance(request, ASGIRequest):
        # under WSGI Django would read the endless stream to its end before sending a byte
        message = "Event streams are served by the ASGI server only."
        return JsonResponse(error_body("unavailable", message), status=503)
    response = StreamingHttpResponse(
        _bell(user.pk, translation.get_language() or "en"), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def bell_state(user_id: int, language: str) -> dict[str, Any]:
    """What the bell shows: the unread count and the newest unread notification's sentence."""
    with translation.override(language):
        return selectors.bell(user_id)


async def _bell(user_id: int, language: str) -> AsyncIterator[str]:
    ends = time.monotonic() + MAX_SECONDS
    sent: dict[str, Any] | None = None
    state_now = database_sync_to_async(bell_state)
    async with topic_hub().follow(bell_topic(user_id)) as changed:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while (left := ends - time.monotonic()) > 0:
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            changed.clear()
            state = await state_now(user_id, language)
            if state != sent:
                sent = state
                yield f"event: bell\ndata: {json.dumps(state)}\n\n"
