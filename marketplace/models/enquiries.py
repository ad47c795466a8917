"""Enquiries: a buyer's conversation with a seller about one listing (one thread per listing
and buyer), and its messages. Each side's unread count is kept on the thread, so the header's
count and the inbox's markers are read from the threads alone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Length

MAX_BODY_LENGTH = 4000


class Enquiry(models.Model):
    machine = models.ForeignKey("marketplace.Machine", on_delete=models.CASCADE, related_name="enquiries")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enquiries_sent"
    )
    # the listing's seller when the thread began (a listing never changes hands)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enquiries_received"
    )
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    message_count = models.PositiveIntegerField(default=0)
    # messages of the other side that this side has not read since it last opened the thread
    buyer_unread = models.PositiveIntegerField(default=0)
    seller_unread = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "buyer"], name="one_enquiry_per_buyer_and_machine"),
            models.CheckConstraint(condition=~models.Q(buyer=models.F("seller")), name="enquiry_two_parties"),
        ]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="enquiry_buyer_inbox"),
            models.Index(fields=["seller", "-last_message_at"], name="enquiry_seller_inbox"),
            models.Index(fields=["buyer", "created_at"], name="enquiry_buyer_started"),
        ]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"enquiry {self.pk} of user {self.buyer_id} about machine {self.machine_id}"

    def unread_for(self, user_id: int) -> int:
        """Messages `user_id` has not read (0 for someone who is not a party)."""
        if user_id == self.buyer_id:
            return self.buyer_unread
        if user_id == self.seller_id:
            return self.seller_unread
        return 0


class EnquiryMessage(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.GreaterThan(Length("body"), 0)
                & models.lookups.LessThanOrEqual(Length("body"), MAX_BODY_LENGTH),
                name="enquiry_message_length",
            )
        ]
        indexes = [
            models.Index(fields=["enquiry", "created_at"], name="enquiry_message_thread"),
            models.Index(fields=["author", "created_at"], name="enquiry_message_author"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in enquiry {self.enquiry_id}"
