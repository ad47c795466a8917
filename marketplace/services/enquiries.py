"""Enquiries: a buyer writes to a listing's seller, the seller replies, both read the thread.

Only the two parties and staff may see or write in a thread; to anyone else it does not exist
(404, so that its existence is not told). Each service locks the writing user's row first, so
one user's writes are counted one at a time against their limits (settings
ENQUIRIES_PER_HOUR and ENQUIRY_MESSAGES_PER_MINUTE, counted from the stored rows: a refused
message stores nothing and counts for nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, QuerySet
from django.utils import timezone

from core.api.fields import BLANKS
from core.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    TooManyRequestsError,
)
from events import producers as events
from events.emit import acting
from marketplace.models import Enquiry, EnquiryMessage, Machine, User
from marketplace.models.enquiries import MAX_BODY_LENGTH
from marketplace.models.machines import SEARCHABLE_STATUSES
from marketplace.services.outbox import outbox_alert

MAX_MESSAGES_PER_ENQUIRY = 200
MESSAGE_WINDOW = timedelta(minutes=1)
ENQUIRY_WINDOW = timedelta(hours=1)


def message_body(body: str) -> str:
    """`body` without the blanks around it, if it is a message: not blank, at most
    MAX_BODY_LENGTH characters, nothing PostgreSQL cannot store (NUL, a lone surrogate). The
    API's and the page's inputs check the same before; this is the rule itself."""
    # a form sends its line breaks as CRLF, which its maxlength counted as one character
    text = body.replace("\r\n", "\n").strip(BLANKS)
    problem = ""
    if not text:
        problem = "Write a message."
    elif len(text) > MAX_BODY_LENGTH:
        problem = f"A message has at most {MAX_BODY_LENGTH} characters."
    elif "\x00" in text or not _encodable(text):
        problem = "The message has characters that cannot be stored."
    if problem:
        raise DomainError(problem, code="validation_error", fields={"body": [problem]})
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's "\ud800" escapes can carry
        return False
    return True


def _lock_writer(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()


def _check_rate(
    rows: QuerySet[EnquiryMessage] | QuerySet[Enquiry],
    *,
    limit: int,
    window: timedelta,
    now: datetime,
    message: str,
) -> None:
    figures = rows.filter(created_at__gt=now - window).aggregate(count=Count("id"), oldest=Min("created_at"))
    if figures["count"] >= limit:
        oldest = figures["oldest"] or now
        raise TooManyRequestsError(
            message, retry_after=max(1, int((oldest + window - now).total_seconds()) + 1)
        )


def _check_message_rate(author: User, now: datetime) -> None:
    _check_rate(
        EnquiryMessage.objects.filter(author=author),
        limit=settings.ENQUIRY_MESSAGES_PER_MINUTE,
        window=MESSAGE_WINDOW,
        now=now,
        message="Too many messages in a short time; wait a minute and send it again.",
    )


def _add_message(enquiry: Enquiry, *, author: User, text: str, now: datetime) -> EnquiryMessage:
    """Append to `enquiry`, locked FOR UPDATE by the caller: the other side has one more to
    read, and the author has read everything before their own message."""
    if enquiry.message_count >= MAX_MESSAGES_PER_ENQUIRY:
        raise ConflictError(
            f"A conversation holds at most {MAX_MESSAGES_PER_ENQUIRY} messages.", code="enquiry_full"
        )
    message = EnquiryMessage.objects.create(enquiry=enquiry, author=author, body=text, created_at=now)
    changes: dict[str, object] = {"last_message_at": now, "message_count": F("message_count") + 1}
    if author.pk == enquiry.buyer_id:
        changes |= {"buyer_unread": 0, "seller_unread": F("seller_unread") + 1}
    elif author.pk == enquiry.seller_id:
        changes |= {"seller_unread": 0, "buyer_unread": F("buyer_unread") + 1}
    else:  # staff, writing to both parties
        changes |= {"seller_unread": F("seller_unread") + 1, "buyer_unread": F("buyer_unread") + 1}
    Enquiry.objects.filter(pk=enquiry.pk).update(**changes)
    enquiry.refresh_from_db()
    outbox_alert(happened="enquiry_message", entity_id=message.pk)
    return message


def _locked_enquiry_for(user: User, enquiry_id: int) -> Enquiry:
    """The thread, locked FOR UPDATE, if `user` is one of its parties or staff."""
    enquiry = Enquiry.objects.select_for_update().filter(pk=enquiry_id).first()
    if enquiry is None or (user.pk not in (enquiry.buyer_id, enquiry.seller_id) and not user.is_staff):
        raise NotFoundError("No such enquiry.")
    return enquiry


@transaction.atomic
def enquiry_send(*, buyer: User, machine_id: int, body: str, now: datetime | None = None) -> Enquiry:
    """A buyer's message about a listing: it starts their thread with the seller, or adds to
    the one they have (one thread per buyer and listing). A new thread needs a listing that is
    offered (published, reserved or in auction) and not the buyer's own."""
    text = message_body(body)
    now = now or timezone.now()
    machine = Machine.objects.filter(pk=machine_id).only("id", "seller_id", "status").first()
    if machine is None or (not machine.is_visible and machine.seller_id != buyer.pk and not buyer.is_staff):
        raise NotFoundError("No such listing.")
    if machine.seller_id == buyer.pk:
        raise ForbiddenError("You cannot send an enquiry about your own listing.", code="own_listing")
    _lock_writer(buyer)
    _check_message_rate(buyer, now)
    enquiry = Enquiry.objects.select_for_update().filter(machine=machine, buyer=buyer).first()
    first = enquiry is None
    if enquiry is None:
        if machine.status not in SEARCHABLE_STATUSES:
            raise ConflictError("This listing is not for sale any more.", code="listing_not_offered")
        _check_rate(
            Enquiry.objects.filter(buyer=buyer),
            limit=settings.ENQUIRIES_PER_HOUR,
            window=ENQUIRY_WINDOW,
            now=now,
            message="You have started too many conversations in the last hour; try again later.",
        )
        enquiry = Enquiry.objects.create(
            machine=machine, buyer=buyer, seller_id=machine.seller_id, created_at=now, last_message_at=now
        )
    _add_message(enquiry, author=buyer, text=text, now=now)
    _sent(enquiry, buyer, text, first=first)
    return enquiry


def _sent(enquiry: Enquiry, buyer: User, text: str, *, first: bool) -> None:
    events.buyer_sent_enquiry(
        machine_id=enquiry.machine_id,
        enquiry_id=enquiry.pk,
        first_message=first,
        message_length=len(text),
        actor=acting(buyer.pk),
    )


@transaction.atomic
def enquiry_reply(*, author: User, enquiry_id: int, body: str, now: datetime | None = None) -> EnquiryMessage:
    """A message in a thread by one of its two parties (or staff)."""
    text = message_body(body)
    now = now or timezone.now()
    _lock_writer(author)
    enquiry = _locked_enquiry_for(author, enquiry_id)
    _check_message_rate(author, now)
    message = _add_message(enquiry, author=author, text=text, now=now)
    if author.pk == enquiry.buyer_id:
        _sent(enquiry, author, text, first=False)
    return message


@transaction.atomic
def enquiry_mark_read(*, user: User, enquiry_id: int) -> Enquiry:
    """`user` has read the thread: nothing in it is unread for their side any more (staff who
    are not a party change nothing)."""
    enquiry = _locked_enquiry_for(user, enquiry_id)
    side = (
        "buyer_unread"
        if user.pk == enquiry.buyer_id
        else "seller_unread"
        if user.pk == enquiry.seller_id
        else ""
    )
    if side and getattr(enquiry, side):
        setattr(enquiry, side, 0)
        enquiry.save(update_fields=[side])
    return enquiry
