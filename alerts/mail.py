"""What an email says: one notification's, or a day's digest of them, written in the person's
language with an absolute link, a one-click unsubscribe link per kind (a signed token: no login)
and the headers of RFC 2369 and RFC 8058 (`List-Unsubscribe`, `List-Unsubscribe-Post`). The
Message-ID is derived from what the email tells, so the same email is always the same message."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from alerts.kinds import KINDS
from alerts.kinds import kind as kind_named
from alerts.models import DigestEntry, Notification, OutgoingEmail
from alerts.preferences import ALL_KINDS

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
DIGEST_MAX_ITEMS = 50
MAX_SUBJECT = 150


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_reading(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token this site signed, or None for any other string."""
    try:
        value = signing.loads(token[:500], salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    match value:
        case [int(user_id), str(kind)] if kind == ALL_KINDS or kind in KINDS:
            return user_id, kind
    return None


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("alerts-unsubscribe", kwargs={"token": unsubscribe_token(user_id=user_id, kind=kind)})
    return f"{settings.SITE_URL}{path}"


def message_id(row: OutgoingEmail) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    if row.notification_id is not None:
        return f"<notification.{row.notification_id}@{domain}>"
    return f"<digest.{row.user_id}.{row.digest_day:%Y%m%d}@{domain}>"


@dataclass(frozen=True)
class Item:
    sentence: str
    url: str


def compose(row: OutgoingEmail) -> EmailMultiAlternatives | None:
    """The message of a queued email; None when there is nothing left to tell (its person has
    no address any more, or a digest whose notifications were deleted)."""
    person = get_user_model().objects.filter(pk=row.user_id).first()
    if person is None or not person.email:
        return None
    language = getattr(person, "primary_language_id", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        if row.notification_id is not None:
            rendered = _notification_email(row, person.email)
        else:
            rendered = _digest_email(row, person.email)
    if rendered is not None:
        rendered.extra_headers["Message-ID"] = message_id(row)
    return rendered


def _headers(unsubscribe: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _notification_email(row: OutgoingEmail, address: str) -> EmailMultiAlternatives | None:
    notification = Notification.objects.filter(pk=row.notification_id or 0).first()
    if notification is None:
        return None
    kind = kind_named(notification.kind)
    sentence = kind.sentence(notification.params)
    unsubscribe = unsubscribe_url(user_id=row.user_id, kind=kind.code)
    context: dict[str, object] = {
        "sentence": sentence,
        "url": f"{settings.SITE_URL}{notification.link}",
        "kind_label": str(kind.label),
        "unsubscribe_url": unsubscribe,
        "preferences_url": f"{settings.SITE_URL}{reverse('profile')}",
    }
    return _message(
        subject=sentence,
        address=address,
        context=context,
        template="alerts/email/notification",
        headers=_headers(unsubscribe),
    )


def _digest_email(row: OutgoingEmail, address: str) -> EmailMultiAlternatives | None:
    entries = DigestEntry.objects.filter(email=row).order_by("-created_at", "-notification_id")
    total = entries.count()
    if not total:
        return None
    groups: OrderedDict[str, list[Item]] = OrderedDict()
    for notification in Notification.objects.filter(
        pk__in=entries.values("notification_id")[:DIGEST_MAX_ITEMS]
    ).order_by("-created_at", "-id"):
        kind = kind_named(notification.kind)
        groups.setdefault(kind.code, []).append(
            Item(kind.sentence(notification.params), f"{settings.SITE_URL}{notification.link}")
        )
    more = total - sum(len(items) for items in groups.values())
    context = {
        "groups": [
            {
                "label": str(kind_named(code).label),
                "items": items,
                "unsubscribe_url": unsubscribe_url(user_id=row.user_id, kind=code),
            }
            for code, items in groups.items()
        ],
        "more": more,
        "more_text": ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more} if more else "",
        "unsubscribe_url": unsubscribe_url(user_id=row.user_id, kind=ALL_KINDS),
        "preferences_url": f"{settings.SITE_URL}{reverse('profile')}",
    }
    subject = ngettext(
        "Your daily digest: %(n)d notification", "Your daily digest: %(n)d notifications", total
    ) % {"n": total}
    return _message(
        subject=subject,
        address=address,
        context=context,
        template="alerts/email/digest",
        headers=_headers(context["unsubscribe_url"]),  # type: ignore[arg-type]
    )


def _message(
    *, subject: str, address: str, context: dict[str, object], template: str, headers: dict[str, str]
) -> EmailMultiAlternatives:
    context = {**context, "subject": subject, "site_name": "IronMarket", "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
