"""An API view whose handlers are coroutines: for the few operations that wait on the event
loop (a bid joins the batch that the sockets' bids are placed in) rather than in a thread."""

from __future__ import annotations

import inspect
from typing import Any

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView


class AsyncApiView(APIView):
    """DRF's APIView with `async def` handlers. Authentication, permissions and throttles run
    as DRF runs them, in one trip to a thread that hands its database connection back to the
    pool afterwards (they read the database and Redis); the handler runs on the event loop;
    errors become the API's error body as in any other view."""

    async def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        self.args = args
        self.kwargs = kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            await database_sync_to_async(self.initial)(drf_request, *args, **kwargs)
            method = (drf_request.method or "").lower()
            handler = getattr(self, method, None) if method in self.http_method_names else None
            if handler is None:
                response = self.http_method_not_allowed(drf_request, *args, **kwargs)
            else:
                response = handler(drf_request, *args, **kwargs)
                if inspect.isawaitable(response):  # OPTIONS is DRF's own, not a coroutine
                    response = await response
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        return self.response
