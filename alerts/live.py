"""GET /notifications/stream/ - server-sent events with the signed-in person's unread count,
for the header's bell on every page to stay current without a reload.

`notify` and `notifications_mark_read` notify the person's bell topic after they commit
(`core/topics.py`, so a bid placed in any server process reaches every stream); the stream
reads the count back from PostgreSQL, with the newest unread notification's sentence for the
page to announce, and sends them when the count or the newest differs from what it last sent
(`core/streams.py`: the first event once subscribed, bounded, 503 outside the ASGI server).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import translation

from alerts import selectors
from alerts.services import bell_topic
from core.api.errors import error_body
from core.streams import topic_stream
from marketplace.auth import viewer


async def bell_stream(request: HttpRequest) -> HttpResponseBase:
    user = await database_sync_to_async(lambda: viewer(request))()
    if user is None:
        return JsonResponse(
            error_body("not_authenticated", "Sign in to follow your notifications."), status=401
        )
    language = translation.get_language() or "en"
    state_now = database_sync_to_async(bell_state)

    async def state() -> dict[str, Any]:
        return await state_now(user.pk, language)

    return topic_stream(request, topic=bell_topic(user.pk), event="bell", read=state)


def bell_state(user_id: int, language: str) -> dict[str, Any]:
    """What the bell shows: the unread count and the newest unread notification's sentence."""
    with translation.override(language):
        return selectors.bell(user_id)
