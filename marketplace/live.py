"""GET /machines/<id>/watchers/stream/ - server-sent events with the number of people watching
a listing, one event when it changes, for the listing's page to keep its count current.

The watchlist's services notify the listing's topic after they commit (`core/topics.py`, so a
watch in any server process reaches every stream); the stream reads the count back from
PostgreSQL and sends it when it differs from the last it sent (`core/streams.py`: the first
event once subscribed, bounded, 503 outside the ASGI server).
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from core.api.errors import error_body
from core.streams import topic_stream
from marketplace import selectors
from marketplace.auth import viewer


def watchers_topic(machine_id: int) -> str:
    return f"listing:{machine_id}:watchers"


async def watcher_stream(request: HttpRequest, machine_id: int) -> HttpResponseBase:
    visible = await database_sync_to_async(
        lambda: selectors.machine_is_visible(machine_id=machine_id, viewer=viewer(request))
    )()
    if not visible:
        return JsonResponse(error_body("not_found", "No such listing."), status=404)
    count_now = database_sync_to_async(selectors.watcher_count)

    async def count() -> dict[str, int]:
        return {"count": await count_now(machine_id)}

    return topic_stream(request, topic=watchers_topic(machine_id), event="watchers", read=count)
