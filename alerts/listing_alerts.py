"""Watched listings and enquiry threads, told from the outbox's alerts topic
(`alerts/projection.py`): a listing's watchers hear that its price changed or that it was sold,
and each party of an enquiry hears of the other's messages. The seller is never told of their
own listing's changes.

Dedupe keys make a retried batch tell nothing twice: a price change is keyed by its outbox
row (`machine:7:price:1234`: the same change again is the same row; a later change is another),
a sale by the listing (sold once), a message by its id."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from alerts.services import Draft, notify
from marketplace.models import EnquiryMessage, Machine, WatchlistEntry
from marketplace.money import format_money
from marketplace.outbox import OutboxRow


def machine_price_changed(row: OutboxRow) -> None:
    old, new = row.payload.get("old_price") or {}, row.payload.get("new_price") or {}
    if not old or not new:
        return
    _tell_watchers(
        row.entity_id,
        kind="price_changed",
        key=f"price:{row.event_id}",
        old_price=format_money(int(old["minor"]), str(old["currency"])),
        price=format_money(int(new["minor"]), str(new["currency"])),
    )


def machine_sold(row: OutboxRow) -> None:
    _tell_watchers(row.entity_id, kind="listing_sold", key="sold")


def enquiry_message(row: OutboxRow) -> None:
    message = (
        EnquiryMessage.objects.select_related("enquiry__machine", "author").filter(pk=row.entity_id).first()
    )
    if message is None:  # the thread was deleted since
        return
    enquiry = message.enquiry
    recipient = enquiry.seller_id if message.author_id == enquiry.buyer_id else enquiry.buyer_id
    if recipient == message.author_id:
        return
    notify(
        [
            Draft(
                user_id=recipient,
                kind="enquiry_message",
                dedupe_key=f"enquiry_message:{message.pk}",
                link=reverse("enquiry-detail", args=[enquiry.pk]),
                params={"sender": str(message.author), "title": _title(enquiry.machine.title)},
                machine_id=enquiry.machine_id,
            )
        ]
    )


def _tell_watchers(machine_id: int, *, kind: str, key: str, **params: Any) -> None:
    machine = Machine.objects.filter(pk=machine_id).values("seller_id", "title").first()
    if machine is None:
        return
    watchers = (
        WatchlistEntry.objects.filter(machine_id=machine_id)
        .exclude(user_id=machine["seller_id"])
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )
    link = reverse("machine-detail", args=[machine_id])
    title = _title(machine["title"])
    notify(
        [
            Draft(
                user_id=user_id,
                kind=kind,
                dedupe_key=f"machine:{machine_id}:{key}",
                link=link,
                params={"title": title, **params},
                machine_id=machine_id,
            )
            for user_id in watchers.iterator(chunk_size=2000)
        ]
    )


def _title(title: Any) -> dict[str, str]:
    return {str(language): str(text) for language, text in (title or {}).items()}
