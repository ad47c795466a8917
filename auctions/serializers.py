"""The auctions API's shapes: Input serializers that validate requests (the REST API, the
socket's bid messages and the seller's page form go through the same ones) and Output
serializers of what it answers. The live events' shapes are in auctions/asyncapi.py."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from auctions.models import AuctionKind
from auctions.rules import AuctionStatus
from auctions.rules._requests import MAX_IDEMPOTENCY_KEY_LENGTH
from auctions.selectors import auction_snapshot
from core.api.fields import Instant, MoneyInput, MoneyOutput, StrictInput, Text, WholeNumber
from marketplace.fields import ListingMoney

MAX_EXTENSION_SECONDS = 3600
MAX_ID = 2**63 - 1
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"  # printable ASCII, no spaces


class AuctionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    machine = serializers.IntegerField(help_text="The listing's id")
    kind = serializers.ChoiceField(choices=AuctionKind.choices)
    status = serializers.ChoiceField(choices=[status.value for status in AuctionStatus])
    currency = serializers.CharField()
    starting_price = MoneyOutput()
    current_price = MoneyOutput(allow_null=True, help_text="The highest bid; null before the first")
    minimum_bid = MoneyOutput(help_text="The least a new bid may be now")
    bid_count = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The last event's number: resume the live stream from here")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="Moves later when a soft-close auction gets a late bid")
    extension_seconds = serializers.IntegerField()
    reserve_met = serializers.BooleanField()
    has_reserve = serializers.BooleanField()
    winner = serializers.IntegerField(allow_null=True, help_text="The winner's user id once it closed sold")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return auction_snapshot(instance)


class AuctionInput(StrictInput):
    """The terms of an auction of the seller's published listing."""

    machine = WholeNumber(min_value=1, max_value=MAX_ID, help_text="Your published listing's id")
    kind = serializers.ChoiceField(choices=AuctionKind.choices)
    starts_at = Instant()
    ends_at = Instant(help_text="At most 30 days after starts_at, and in the future")
    extension_seconds = WholeNumber(
        min_value=0,
        max_value=MAX_EXTENSION_SECONDS,
        required=False,
        help_text="Soft close: a bid this close to the end moves the end this far (1 to 3600, default 120); "
        "sudden death: 0",
    )
    starting_price = ListingMoney(positive=True)
    reserve_price = ListingMoney(
        positive=True, required=False, allow_null=True, help_text="Hidden minimum to sell"
    )


class BidInput(StrictInput):
    """A bid: the amount placed now and, optionally, a hidden maximum to bid up to."""

    amount = MoneyInput(positive=True, help_text="The bid placed now")
    max_amount = MoneyInput(
        positive=True,
        required=False,
        allow_null=True,
        help_text="Hidden proxy maximum: the system bids for you up to it",
    )


class IdempotencyKey(serializers.Serializer):
    key = Text(min_length=1, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)

    def validate_key(self, value: str) -> str:
        if not all("\x21" <= character <= "\x7e" for character in value):
            raise serializers.ValidationError("Printable ASCII characters only, without spaces.")
        return value


class BidderBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlacedBidOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    price = MoneyOutput()
    bidder = serializers.IntegerField(help_text="The bidder's user id")
    automatic = serializers.BooleanField(help_text="Placed by a proxy maximum, not typed")


class BidResultOutput(serializers.Serializer):
    bids = PlacedBidOutput(
        many=True, help_text="The visible bids this request placed, its own and any proxy's"
    )
    replayed = serializers.BooleanField(help_text="True when this Idempotency-Key was placed before")
    auction = AuctionOutput(help_text="The auction as this bid left it")
