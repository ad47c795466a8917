"""Auctions in PostgreSQL. The auction row holds the rules engine's state (without its history
of accepted requests, which lives in `BidRequestRecord`, one row per idempotency key), so a
bid costs one locked row read and a few small writes however long the auction has run.
`Bid` rows are the visible bids, numbered by the auction's gap-free sequence."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.money import Money


class AuctionKind(models.TextChoices):
    SOFT_CLOSE = "soft_close", "Soft close"
    SUDDEN_DEATH = "sudden_death", "Sudden death"


class Auction(models.Model):
    machine = models.ForeignKey("marketplace.Machine", on_delete=models.PROTECT, related_name="auctions")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auctions_selling"
    )
    kind = models.CharField(max_length=16, choices=AuctionKind.choices)
    currency = models.CharField(max_length=3)
    starting_price = models.BigIntegerField()
    reserve_price = models.BigIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    extension_seconds = models.PositiveIntegerField(default=0)
    # The engine's state (auctions.rules.AuctionState.to_dict() without `accepted`).
    state = models.JSONField()
    # Denormalised from `state` for listing, sorting and the closer's index.
    ends_at = models.DateTimeField(db_index=True)
    current_price = models.BigIntegerField(null=True, blank=True)
    bid_count = models.PositiveIntegerField(default=0)
    last_seq = models.PositiveIntegerField(default=0)
    reserve_met = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="auctions_won"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # how far its watchers and bidders were reminded (auctions/services/reminders.py): never back
    reminded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ends_at", "id"]
        indexes = [
            models.Index(
                fields=["ends_at"], name="auction_open_by_end", condition=models.Q(closed_at__isnull=True)
            ),
            models.Index(
                fields=["starts_at"],
                name="auction_start_untold",
                condition=models.Q(closed_at__isnull=True, reminded=0),
            ),
        ]

    def __str__(self) -> str:
        return f"auction {self.pk} of machine {self.machine_id}"


class Bid(models.Model):
    """A visible bid; `automatic` ones were placed by a bidder's proxy maximum."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bids")
    seq = models.PositiveIntegerField()
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bids")
    amount = models.BigIntegerField()
    automatic = models.BooleanField(default=False)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["auction", "seq"]
        constraints = [models.UniqueConstraint(fields=["auction", "seq"], name="unique_bid_seq")]

    def __str__(self) -> str:
        return f"bid {self.seq} on auction {self.auction_id}"

    @property
    def price(self) -> Money:
        return Money(self.amount, self.auction.currency)


class BidRequestRecord(models.Model):
    """An accepted bid request under its idempotency key: a retry gets the same answer."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="requests")
    idempotency_key = models.CharField(max_length=200)
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted = models.JSONField(help_text="auctions.rules.AcceptedBid.to_dict()")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["auction", "idempotency_key"], name="unique_bid_request_key")
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} on auction {self.auction_id}"


class AuctionEventRecord(models.Model):
    """Every numbered event of an auction (new_bid, auction_extended, auction_ended) as it was
    broadcast, written in the transaction that made it: a client that resumes from `seq` is
    replayed exactly what it missed, every kind in order."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    message = models.JSONField(help_text='{"event": ..., "payload": ...} (auctions/asyncapi.py)')

    class Meta:
        ordering = ["auction", "seq"]
        constraints = [models.UniqueConstraint(fields=["auction", "seq"], name="unique_auction_event_seq")]

    def __str__(self) -> str:
        return f"event {self.seq} of auction {self.auction_id}"
