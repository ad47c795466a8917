"""REST API of the catalogue. Each view reads its input through an Input serializer, calls one
service or selector and renders an Output serializer; errors become {"error": {...}}
(core/api/errors.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import errors
from core.api.views import valid_body, valid_query
from core.throttling import StrictScopedThrottle
from marketplace import selectors, services
from marketplace.auth import signed_in, viewer
from marketplace.models import Category, MachineModel, Maker, SpecDefinition
from marketplace.serializers import (
    CategoryOutput,
    EnquiryDetailOutput,
    EnquiryInput,
    EnquiryMessageInput,
    EnquiryMessageOutput,
    EnquiryOutput,
    MachineInput,
    MachineOutput,
    MakerOutput,
    ModelOutput,
    ModelQuery,
    PhotoInput,
    PhotoOutput,
    RegisteredOutput,
    RegisterInput,
    SpecDefinitionOutput,
    TokenInput,
    TokenOutput,
    WatchInput,
    WatchlistEntryOutput,
    listing_fields,
)

LISTING_EXAMPLE = OpenApiExample(
    "A Komatsu excavator",
    request_only=True,
    value={
        "model": 1,
        "year": 2016,
        "hours": 6200,
        "condition": "good",
        "country": "JP",
        "region": "Chiba",
        "price": {"amount": "8800000", "currency": "JPY"},
        "title": {"en": "Komatsu PC200-8 excavator", "ja": "コマツ PC200-8 油圧ショベル"},
        "description": {"en": "One owner, full service history."},
        "specs": {"operating_weight": 20800, "undercarriage": "crawler"},
    },
)


class AuthTokenApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Exchange a username and password for an API token",
        request=TokenInput,
        responses={200: TokenOutput, **errors(401)},
        tags=["auth"],
        examples=[
            OpenApiExample("Sign in", request_only=True, value={"username": "buyer-en-001", "password": "…"})
        ],
    )
    def post(self, request: Request) -> Response:
        data = valid_body(TokenInput, request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            raise exceptions.AuthenticationFailed(
                "Unknown username or wrong password.", code="invalid_credentials"
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response(TokenOutput({"token": token.key}).data)

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"


class RegisterApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [StrictScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Open a buyer's or a seller's account",
        request=RegisterInput,
        responses={201: RegisteredOutput, **errors(409, 422)},
        tags=["auth"],
        examples=[
            OpenApiExample(
                "A seller",
                request_only=True,
                value={
                    "username": "kanto-machinery",
                    "password": "a-long-pass-phrase",
                    "email": "sales@kanto.example",
                    "primary_language": "ja",
                    "is_seller": True,
                    "company_name": "Kanto Machinery",
                    "country": "JP",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        user = services.user_register(**valid_body(RegisterInput, request))
        token = Token.objects.create(user=user)
        return Response(
            RegisteredOutput({"id": user.pk, "username": user.username, "token": token.key}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(summary="Every category, as a tree by `parent` and `path`", tags=["catalogue"])
class CategoryListApi(ListAPIView):
    serializer_class = CategoryOutput
    pagination_class = None
    queryset = Category.objects.all()


@extend_schema(summary="Every maker", tags=["catalogue"])
class MakerListApi(ListAPIView):
    serializer_class = MakerOutput
    pagination_class = None
    queryset = Maker.objects.all()


@extend_schema(summary="Machine models, by maker if asked", tags=["catalogue"], parameters=[ModelQuery])
class ModelListApi(ListAPIView):
    serializer_class = ModelOutput

    def get_queryset(self) -> Any:
        query = valid_query(ModelQuery, self.request)
        queryset = MachineModel.objects.select_related("maker", "category").order_by("id")
        if query.get("maker"):
            queryset = queryset.filter(maker__slug=query["maker"])
        return queryset


@extend_schema(summary="Every spec a listing can carry, with its kind, unit and bounds", tags=["catalogue"])
class SpecDefinitionListApi(ListAPIView):
    serializer_class = SpecDefinitionOutput
    pagination_class = None
    queryset = SpecDefinition.objects.select_related("spec_category")


def _machine(request: Request, machine_id: int) -> dict[str, Any]:
    return dict(MachineOutput(selectors.machine_get(machine_id=machine_id, viewer=viewer(request))).data)


class MachineListCreateApi(ListAPIView):
    serializer_class = MachineOutput

    @extend_schema(
        summary="Listings: the published ones, and with `mine` your own drafts too",
        parameters=[
            OpenApiParameter(
                "mine", bool, description="Only the signed-in seller's own listings, drafts included"
            )
        ],
        tags=["listings"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user = viewer(self.request)
        queryset = selectors.machines_visible_to(user)
        mine = self.request.query_params.get("mine", "false")
        if mine not in ("true", "false"):
            raise exceptions.ValidationError({"mine": ["Must be true or false."]})
        if mine == "true":
            if user is None:
                raise exceptions.NotAuthenticated()
            queryset = queryset.filter(seller=user)
        return selectors.machines_with_relations(queryset).order_by("-id")

    @extend_schema(
        summary="List a machine (a draft until published)",
        request=MachineInput,
        responses={201: MachineOutput, **errors(403, 422)},
        examples=[LISTING_EXAMPLE],
        tags=["listings"],
    )
    def post(self, request: Request) -> Response:
        machine = services.machine_create(
            seller=signed_in(request), **listing_fields(valid_body(MachineInput, request))
        )  # type: ignore[arg-type]
        return Response(_machine(request, machine.pk), status=status.HTTP_201_CREATED)

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]


class MachineDetailApi(APIView):
    @extend_schema(summary="One listing", responses={200: MachineOutput}, tags=["listings"])
    def get(self, request: Request, machine_id: int) -> Response:
        return Response(_machine(request, machine_id))

    @extend_schema(
        summary="Change some of a listing's fields (its seller)",
        request=MachineInput(partial=True),
        responses={200: MachineOutput, **errors(403, 409, 422)},
        tags=["listings"],
    )
    def patch(self, request: Request, machine_id: int) -> Response:
        changes = listing_fields(valid_body(MachineInput, request, partial=True))
        services.machine_update(actor=signed_in(request), machine_id=machine_id, **changes)  # type: ignore[arg-type]
        return Response(_machine(request, machine_id))


class MachineTransitionApi(APIView):
    """POST /api/v1/machines/{id}/publish|unpublish|sold/"""

    permission_classes = [IsAuthenticated]
    action = "publish"
    SERVICES = {
        "publish": services.machine_publish,
        "unpublish": services.machine_unpublish,
        "sold": services.machine_mark_sold,
    }
    SUMMARIES = {
        "publish": "Publish a listing: buyers can find it",
        "unpublish": "Take a listing back to draft",
        "sold": "Mark a listing sold",
    }

    def post(self, request: Request, machine_id: int) -> Response:
        self.SERVICES[self.action](actor=signed_in(request), machine_id=machine_id)  # type: ignore[arg-type]
        return Response(_machine(request, machine_id))

    @classmethod
    def for_action(cls, action: str) -> Any:
        """The view of one transition, documented as its own operation."""

        def post(self: MachineTransitionApi, request: Request, machine_id: int) -> Response:
            return MachineTransitionApi.post(self, request, machine_id)

        documented = extend_schema(
            summary=cls.SUMMARIES[action],
            request=None,
            responses={200: MachineOutput, **errors(403, 409)},
            tags=["listings"],
        )(post)
        view: type[MachineTransitionApi] = type(
            f"Machine{action.title()}Api", (cls,), {"action": action, "post": documented}
        )
        return view.as_view()


class MachinePhotoApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Add a photo to a listing (its seller)",
        request={"multipart/form-data": PhotoInput},
        responses={201: PhotoOutput, **errors(403, 409, 422)},
        tags=["listings"],
    )
    def post(self, request: Request, machine_id: int) -> Response:
        upload = valid_body(PhotoInput, request)["image"]
        photo = services.photo_add(
            actor=signed_in(request), machine_id=machine_id, upload=upload, size=upload.size or 0
        )  # type: ignore[arg-type]
        return Response(PhotoOutput(photo).data, status=status.HTTP_201_CREATED)


class MachinePhotoItemApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Remove a photo from a listing (its seller); the next one becomes the cover",
        responses={204: None, **errors(403, 409)},
        tags=["listings"],
    )
    def delete(self, request: Request, machine_id: int, photo_id: int) -> Response:
        services.photo_delete(actor=signed_in(request), machine_id=machine_id, photo_id=photo_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class WatchlistApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The listings you watch", responses={200: WatchlistEntryOutput(many=True)}, tags=["watchlist"]
    )
    def get(self, request: Request) -> Response:
        entries = selectors.watchlist_for(signed_in(request))[: selectors.WATCHLIST_MAX]
        context = {"language": signed_in(request).primary_language_id}
        return Response(WatchlistEntryOutput(entries, many=True, context=context).data)

    @extend_schema(
        summary="Watch a listing (watching it again changes nothing)",
        request=WatchInput,
        responses={201: WatchlistEntryOutput, **errors(404, 409)},
        tags=["watchlist"],
        examples=[OpenApiExample("Watch", request_only=True, value={"machine": 42})],
    )
    def post(self, request: Request) -> Response:
        entry = services.watch_add(
            user=signed_in(request), machine_id=valid_body(WatchInput, request)["machine"]
        )  # type: ignore[arg-type]
        return Response(WatchlistEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class WatchlistItemApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Stop watching a listing", responses={204: None}, tags=["watchlist"])
    def delete(self, request: Request, machine_id: int) -> Response:
        services.watch_remove(user=signed_in(request), machine_id=machine_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


def _enquiry(request: Request, enquiry_id: int) -> dict[str, Any]:
    enquiry = selectors.enquiry_get(enquiry_id=enquiry_id, viewer=signed_in(request))
    return dict(EnquiryDetailOutput(enquiry, context={"viewer_id": request.user.pk}).data)


class EnquiryListCreateApi(ListAPIView):
    serializer_class = EnquiryOutput
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return selectors.enquiries_for(signed_in(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer_id": self.request.user.pk}

    @extend_schema(
        summary="Your conversations, as buyer and as seller, the latest message first",
        tags=["enquiries"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send the seller a message about a listing (a new conversation, or one more message in yours)",
        request=EnquiryInput,
        responses={201: EnquiryDetailOutput, **errors(403, 404, 409)},
        tags=["enquiries"],
        examples=[
            OpenApiExample(
                "A question",
                request_only=True,
                value={"machine": 42, "body": "Is the undercarriage original? Can it be shipped to Osaka?"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = valid_body(EnquiryInput, request)
        enquiry = services.enquiry_send(
            buyer=signed_in(request), machine_id=data["machine"], body=data["body"]
        )
        return Response(_enquiry(request, enquiry.pk), status=status.HTTP_201_CREATED)


class EnquiryDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One of your conversations with its messages (reading it does not mark it read)",
        responses={200: EnquiryDetailOutput},
        tags=["enquiries"],
    )
    def get(self, request: Request, enquiry_id: int) -> Response:
        return Response(_enquiry(request, enquiry_id))


class EnquiryMessageApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Write in one of your conversations",
        request=EnquiryMessageInput,
        responses={201: EnquiryMessageOutput, **errors(409)},
        tags=["enquiries"],
        examples=[OpenApiExample("A reply", request_only=True, value={"body": "Yes, original. We ship."})],
    )
    def post(self, request: Request, enquiry_id: int) -> Response:
        body = valid_body(EnquiryMessageInput, request)["body"]
        message = services.enquiry_reply(author=signed_in(request), enquiry_id=enquiry_id, body=body)
        return Response(EnquiryMessageOutput(message).data, status=status.HTTP_201_CREATED)


class EnquiryReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark one of your conversations read",
        request=None,
        responses={200: EnquiryOutput},
        tags=["enquiries"],
    )
    def post(self, request: Request, enquiry_id: int) -> Response:
        enquiry = services.enquiry_mark_read(user=signed_in(request), enquiry_id=enquiry_id)
        enquiry = selectors.enquiry_get(enquiry_id=enquiry.pk, viewer=signed_in(request))
        return Response(EnquiryOutput(enquiry, context={"viewer_id": request.user.pk}).data)
