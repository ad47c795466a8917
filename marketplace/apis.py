"""REST API of the catalogue. Each view parses input, calls one service or selector and shapes
the output; errors become {"error": {...}} in core/api/errors.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.throttling import StrictScopedThrottle
from core.errors import DomainError
from marketplace import selectors, services
from marketplace.models import Category, MachineModel, Maker, SpecDefinition
from marketplace.serializers import (
    CategorySerializer,
    MachineModelSerializer,
    MachineSerializer,
    MachineWriteSerializer,
    MakerSerializer,
    PhotoSerializer,
    RegisterSerializer,
    SpecDefinitionSerializer,
    TokenRequestSerializer,
    WatchlistEntrySerializer,
)

TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


def body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise DomainError("The request body must be a JSON object.", code="invalid_body")
    return dict(request.data)


class AuthTokenApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [StrictScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponse}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = body(request)
        user = authenticate(request, username=data.get("username"), password=data.get("password"))
        if user is None:
            raise DomainError("Unknown username or wrong password.", code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [StrictScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(request=RegisterSerializer, responses={201: TokenResponse}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = body(request)
        fields = ("username", "password", "email", "primary_language", "is_seller", "company_name", "country")
        user = services.user_register(**{field: data[field] for field in fields if field in data})
        token = Token.objects.create(user=user)
        return Response(
            {"id": user.pk, "username": user.username, "token": token.key}, status=status.HTTP_201_CREATED
        )


class CategoryListApi(ListAPIView):
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.all()


class MakerListApi(ListAPIView):
    serializer_class = MakerSerializer
    pagination_class = None
    queryset = Maker.objects.all()


class ModelListApi(ListAPIView):
    serializer_class = MachineModelSerializer

    def get_queryset(self) -> Any:
        queryset = MachineModel.objects.select_related("maker", "category")
        maker = self.request.query_params.get("maker")
        if maker:
            queryset = queryset.filter(maker__slug=maker)
        return queryset


class SpecDefinitionListApi(ListAPIView):
    serializer_class = SpecDefinitionSerializer
    pagination_class = None
    queryset = SpecDefinition.objects.select_related("spec_category")


class MachineListCreateApi(ListAPIView):
    serializer_class = MachineSerializer

    def get_queryset(self) -> Any:
        user = self.request.user if self.request.user.is_authenticated else None
        queryset = selectors.machines_visible_to(user)  # type: ignore[arg-type]
        if self.request.query_params.get("mine") and user is not None:
            queryset = queryset.filter(seller=user)
        return selectors.machines_with_relations(queryset).order_by("-id")

    @extend_schema(request=MachineWriteSerializer, responses={201: MachineSerializer})
    def post(self, request: Request) -> Response:
        machine = services.machine_create(seller=request.user, data=body(request))  # type: ignore[arg-type]
        return Response(self._read(request, machine.pk), status=status.HTTP_201_CREATED)

    @staticmethod
    def _read(request: Request, machine_id: int) -> Any:
        return MachineSerializer(selectors.machine_get(machine_id=machine_id, viewer=request.user)).data  # type: ignore[arg-type]


class MachineDetailApi(APIView):
    @extend_schema(responses=MachineSerializer)
    def get(self, request: Request, machine_id: int) -> Response:
        return Response(MachineListCreateApi._read(request, machine_id))

    @extend_schema(request=MachineWriteSerializer(partial=True), responses=MachineSerializer)
    def patch(self, request: Request, machine_id: int) -> Response:
        services.machine_update(actor=request.user, machine_id=machine_id, data=body(request))  # type: ignore[arg-type]
        return Response(MachineListCreateApi._read(request, machine_id))


class MachineTransitionApi(APIView):
    """POST /api/machines/{id}/publish|unpublish|sold/"""

    permission_classes = [IsAuthenticated]
    action = "publish"
    SERVICES = {
        "publish": services.machine_publish,
        "unpublish": services.machine_unpublish,
        "sold": services.machine_mark_sold,
    }

    @extend_schema(request=None, responses=MachineSerializer)
    def post(self, request: Request, machine_id: int) -> Response:
        self.SERVICES[self.action](actor=request.user, machine_id=machine_id)  # type: ignore[arg-type]
        return Response(MachineListCreateApi._read(request, machine_id))


class MachinePhotoApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("PhotoUpload", {"image": serializers.ImageField()})
        },
        responses={201: PhotoSerializer},
    )
    def post(self, request: Request, machine_id: int) -> Response:
        upload = request.FILES.get("image")
        if upload is None:
            raise DomainError(
                "Send the photo as the multipart field 'image'.",
                fields={"image": ["Required."]},
                code="validation_error",
            )
        photo = services.photo_add(
            actor=request.user, machine_id=machine_id, upload=upload, size=upload.size or 0
        )  # type: ignore[arg-type]
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class WatchlistApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WatchlistEntrySerializer(many=True), tags=["watchlist"])
    def get(self, request: Request) -> Response:
        entries = selectors.watchlist_for(request.user)  # type: ignore[arg-type]
        context = {"language": request.user.primary_language_id}  # type: ignore[union-attr]
        return Response(WatchlistEntrySerializer(entries, many=True, context=context).data)

    @extend_schema(
        request=inline_serializer("WatchRequest", {"machine": serializers.IntegerField()}),
        responses={201: WatchlistEntrySerializer},
        tags=["watchlist"],
    )
    def post(self, request: Request) -> Response:
        machine_id = body(request).get("machine")
        if not isinstance(machine_id, int) or isinstance(machine_id, bool):
            raise DomainError(
                "Give the machine's id.",
                fields={"machine": ["Must be an integer id."]},
                code="validation_error",
            )
        entry = services.watch_add(user=request.user, machine_id=machine_id)  # type: ignore[arg-type]
        return Response(WatchlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WatchlistItemApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["watchlist"])
    def delete(self, request: Request, machine_id: int) -> Response:
        services.watch_remove(user=request.user, machine_id=machine_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
