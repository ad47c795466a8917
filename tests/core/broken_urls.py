"""The project's routes plus an API view with a bug, to see how an unhandled error is answered."""

from __future__ import annotations

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns


class BrokenApi(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise ZeroDivisionError("a bug in a view")


urlpatterns = [path("api/v1/broken/", BrokenApi.as_view()), *project_urlpatterns]
