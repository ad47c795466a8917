"""REST API of auctions: create (the seller), read, and bid (with an Idempotency-Key)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions import selectors, services
from auctions.broadcast import money_payload
from auctions.models import Auction
from core.errors import DomainError, NotFoundError
from marketplace.apis import body

AuctionRequest = inline_serializer(
    "AuctionRequest",
    {
        "machine": serializers.IntegerField(),
        "kind": serializers.ChoiceField(choices=["soft_close", "sudden_death"]),
        "starts_at": serializers.DateTimeField(),
        "ends_at": serializers.DateTimeField(),
        "extension_seconds": serializers.IntegerField(required=False),
        "starting_price": inline_serializer(
            "MoneyIn", {"amount": serializers.IntegerField(), "currency": serializers.CharField()}
        ),
        "reserve_price": inline_serializer(
            "ReserveIn",
            {"amount": serializers.IntegerField(), "currency": serializers.CharField()},
            required=False,
        ),
    },
)
BidRequestBody = inline_serializer(
    "BidBody",
    {
        "amount": serializers.IntegerField(help_text="Minor units"),
        "max_amount": serializers.IntegerField(required=False, help_text="Hidden proxy maximum, minor units"),
    },
)


def _auction(auction_id: int) -> Auction:
    auction = selectors.auctions_listed().filter(pk=auction_id).first()
    if auction is None:
        raise NotFoundError("No such auction.")
    return auction


class AuctionListCreateApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["auctions"], operation_id="auctions_list")
    def get(self, request: Request) -> Response:
        auctions = selectors.auctions_listed().filter(closed_at__isnull=True)[:200]
        return Response({"results": [selectors.auction_snapshot(a) for a in auctions]})

    @extend_schema(request=AuctionRequest, responses={201: OpenApiTypes.OBJECT}, tags=["auctions"])
    def post(self, request: Request) -> Response:
        auction = services.auction_create(seller=request.user, data=body(request))  # type: ignore[arg-type]
        return Response(selectors.auction_snapshot(auction), status=status.HTTP_201_CREATED)


class AuctionDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["auctions"])
    def get(self, request: Request, auction_id: int) -> Response:
        return Response(selectors.auction_snapshot(_auction(auction_id)))


class AuctionBidApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        request=BidRequestBody,
        responses={201: OpenApiTypes.OBJECT},
        tags=["auctions"],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per bid attempt; a retry with the same key never bids twice",
            )
        ],
    )
    def post(self, request: Request, auction_id: int) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            raise DomainError(
                "Send an Idempotency-Key header with each bid.",
                code="idempotency_key_required",
                fields={"Idempotency-Key": ["Required."]},
            )
        data = body(request)
        placed = services.bid_place(
            auction_id=auction_id,
            bidder=request.user,
            amount=data.get("amount"),  # type: ignore[arg-type]
            max_amount=data.get("max_amount"),
            idempotency_key=key,
        )
        bids: list[dict[str, Any]] = [
            {
                "seq": e.seq,
                "priceCents": e.amount.amount,
                "price": money_payload(e.amount),
                "bidder": int(e.bidder_id),
                "automatic": e.automatic,
            }
            for e in placed.events
            if hasattr(e, "amount")
        ]
        return Response(  # the auction as this bid left it
            {
                "bids": bids,
                "replayed": placed.replayed,
                "auction": selectors.auction_snapshot(placed.auction),
            },
            status=status.HTTP_200_OK if placed.replayed else status.HTTP_201_CREATED,
        )
