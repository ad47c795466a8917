"""The alerts' REST API: the signed-in person's notifications (newest first, marking them
read) and saved searches (theirs only: another person's is a 404)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors, services
from alerts.saved_searches import saved_search_create, saved_search_delete, saved_search_update
from alerts.selectors import saved_search_get, saved_searches_for
from alerts.serializers import (
    NotificationOutput,
    NotificationQuery,
    NotificationsReadInput,
    NotificationsReadOutput,
    SavedSearchChangeInput,
    SavedSearchInput,
    SavedSearchOutput,
)
from core.api.schema import errors
from core.api.views import valid_body, valid_query
from core.errors import UnprocessableError
from marketplace.auth import signed_in


@extend_schema(
    summary="Your notifications, newest first", tags=["notifications"], parameters=[NotificationQuery]
)
class NotificationListApi(ListAPIView):
    serializer_class = NotificationOutput
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        query = valid_query(NotificationQuery, self.request)
        notifications = selectors.notifications_for(signed_in(self.request).pk)
        if "unread" in query:
            notifications = notifications.filter(read_at__isnull=query["unread"])
        return notifications


class NotificationsReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark some or all of your notifications read",
        request=NotificationsReadInput,
        responses={200: NotificationsReadOutput, **errors(422)},
        tags=["notifications"],
        examples=[
            OpenApiExample("Some", request_only=True, value={"ids": [41, 42]}),
            OpenApiExample("All", request_only=True, value={"all": True}),
        ],
    )
    def post(self, request: Request) -> Response:
        data = valid_body(NotificationsReadInput, request)
        if bool(data.get("ids")) == bool(data.get("all")):
            message = "Give either ids or all: true."
            raise UnprocessableError(message, code="ids_or_all", fields={"ids": [message]})
        user_id = signed_in(request).pk
        marked = services.notifications_mark_read(user_id=user_id, ids=data.get("ids"))
        return Response(
            NotificationsReadOutput({"marked": marked, "unread": selectors.unread_count(user_id)}).data
        )


TAGS = ["saved searches"]


class SavedSearchListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your saved searches, newest first", responses={200: SavedSearchOutput(many=True)},
                   tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(SavedSearchOutput(saved_searches_for(signed_in(request).pk), many=True).data)

    @extend_schema(
        summary="Save a search, to be told of new listings it finds",
        request=SavedSearchInput,
        responses={201: SavedSearchOutput, **errors(409, 422)},
        tags=TAGS,
        examples=[
            OpenApiExample(
                "Komatsu excavators since 2015",
                request_only=True,
                value={
                    "name": "Komatsu since 2015",
                    "query": "maker=komatsu&year_min=2015",
                    "delivery": "email",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = valid_body(SavedSearchInput, request)
        saved = saved_search_create(user=signed_in(request), **data)
        return Response(SavedSearchOutput(saved).data, status=status.HTTP_201_CREATED)


class SavedSearchApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One of your saved searches", responses={200: SavedSearchOutput, **errors(404)},
                   tags=TAGS)  # fmt: skip
    def get(self, request: Request, saved_search_id: int) -> Response:
        saved = saved_search_get(user_id=signed_in(request).pk, saved_search_id=saved_search_id)
        return Response(SavedSearchOutput(saved).data)

    @extend_schema(
        summary="Rename a saved search, change how it tells you, pause or resume it",
        request=SavedSearchChangeInput,
        responses={200: SavedSearchOutput, **errors(404)},
        tags=TAGS,
    )
    def patch(self, request: Request, saved_search_id: int) -> Response:
        data = valid_body(SavedSearchChangeInput, request)
        saved = saved_search_update(user=signed_in(request), saved_search_id=saved_search_id, **data)
        return Response(SavedSearchOutput(saved).data)

    @extend_schema(summary="Delete a saved search", responses={204: None, **errors(404)}, tags=TAGS)
    def delete(self, request: Request, saved_search_id: int) -> Response:
        saved_search_delete(user=signed_in(request), saved_search_id=saved_search_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
