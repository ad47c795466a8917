"""REST API of the notifications: the signed-in person's, newest first, and marking them read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors, services
from alerts.serializers import (
    NotificationOutput,
    NotificationQuery,
    NotificationsReadInput,
    NotificationsReadOutput,
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
