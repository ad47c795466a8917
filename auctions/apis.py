"""REST API of auctions: create (the seller), read, and bid (with an Idempotency-Key)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions import asyncapi, selectors, services
from auctions.bidqueue import bid_submit
from auctions.broadcast import money_json
from auctions.models import Auction
from auctions.rules import BidEvent
from auctions.rules._requests import MAX_IDEMPOTENCY_KEY_LENGTH
from auctions.serializers import (
    IDEMPOTENCY_KEY_PATTERN,
    AuctionInput,
    AuctionOutput,
    BidInput,
    BidResultOutput,
    IdempotencyKey,
)
from auctions.services import BidPlaced, BidSubmission
from core.api.asyncviews import AsyncApiView
from core.api.schema import errors
from core.api.views import valid_body
from core.errors import DomainError, NotFoundError
from marketplace.auth import signed_in

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH,
        "pattern": IDEMPOTENCY_KEY_PATTERN,
    },
    OpenApiParameter.HEADER,
    required=True,
    description="Unique per bid attempt (a UUID, say): a retry with the same key never bids twice and gets "
    "the first answer again (200 instead of 201)",
)


def _auction(auction_id: int) -> Auction:
    auction = selectors.auctions_listed().filter(pk=auction_id).first()
    if auction is None:
        raise NotFoundError("No such auction.")
    return auction


class AuctionListCreateApi(ListAPIView):
    serializer_class = AuctionOutput
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self) -> Any:
        return selectors.auctions_listed().filter(closed_at__isnull=True)

    @extend_schema(summary="Open and upcoming auctions, the soonest to end first", tags=["auctions"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Put your published listing up for auction",
        request=AuctionInput,
        responses={201: AuctionOutput, **errors(403, 404, 409, 422)},
        tags=["auctions"],
        examples=[
            OpenApiExample(
                "A soft-close auction",
                request_only=True,
                value={
                    "machine": 42,
                    "kind": "soft_close",
                    "starts_at": "2026-12-07T09:00:00+09:00",
                    "ends_at": "2026-12-14T21:00:00+09:00",
                    "extension_seconds": 120,
                    "starting_price": {"amount": "3000000", "currency": "JPY"},
                    "reserve_price": {"amount": "4500000", "currency": "JPY"},
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = valid_body(AuctionInput, request)
        auction = services.auction_create(seller=signed_in(request), machine_id=data.pop("machine"), **data)  # type: ignore[arg-type]
        return Response(AuctionOutput(auction).data, status=status.HTTP_201_CREATED)


class AuctionDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(summary="One auction as it stands", responses={200: AuctionOutput}, tags=["auctions"])
    def get(self, request: Request, auction_id: int) -> Response:
        return Response(AuctionOutput(_auction(auction_id)).data)


def bid_result(placed: BidPlaced) -> dict[str, Any]:
    """The answer to a placed bid, from what placing it returned (no further query)."""
    return {
        "bids": [
            {
                "seq": e.seq,
                "price": money_json(e.amount),
                "bidder": int(e.bidder_id),
                "automatic": e.automatic,
            }
            for e in placed.events
            if isinstance(e, BidEvent)
        ],
        "replayed": placed.replayed,
        "auction": selectors.auction_snapshot(placed.auction),
    }


class AuctionBidApi(AsyncApiView):
    """Bids over REST join the batch the auction's socket bids are placed in, on the event
    loop (auctions/bidqueue.py): one row lock and one commit for every bid arriving together."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Bid on an auction",
        request=BidInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: BidResultOutput,
            200: OpenApiResponse(BidResultOutput, description="This Idempotency-Key's bid, placed before"),
            **errors(403, 409, 422),
        },
        tags=["auctions"],
        examples=[
            OpenApiExample(
                "A bid with a proxy maximum",
                request_only=True,
                value={
                    "amount": {"amount": "3100000", "currency": "JPY"},
                    "max_amount": {"amount": "3500000", "currency": "JPY"},
                },
            )
        ],
    )
    async def post(self, request: Request, auction_id: int) -> Response:
        key = IdempotencyKey(data={"key": request.headers.get("Idempotency-Key", "")})
        if not key.is_valid():
            raise DomainError(
                "Send an Idempotency-Key header with each bid: up to 200 printable characters.",
                fields={"Idempotency-Key": [str(message) for message in key.errors["key"]]},
                code="idempotency_key_required",
            )
        bid = valid_body(BidInput, request)
        submission = BidSubmission(
            bidder=signed_in(request),
            amount=bid["amount"],
            max_amount=bid.get("max_amount"),
            idempotency_key=key.validated_data["key"],
        )
        placed = await bid_submit(auction_id=auction_id, submission=submission)
        return Response(
            bid_result(placed),
            status=status.HTTP_200_OK if placed.replayed else status.HTTP_201_CREATED,
        )


def asyncapi_document(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/asyncapi.json: the live events' contract (auctions/asyncapi.py)."""
    return JsonResponse(asyncapi.document(server=request.get_host()))
