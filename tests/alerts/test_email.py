"""Alert email through a real SMTP server (aiosmtpd, in process): sent once, in the person's
language, with the unsubscribe headers; not sent when the person said no; retried with
backoff after a transient refusal, given up on after a permanent one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from alerts.kinds import Email, kind
from alerts.models import AlertSettings, DigestEntry, EmailStatus, OutgoingEmail, Preference
from alerts.sender import emails_requeue, emails_send_due
from alerts.services import Draft, notify
from tests.alerts.mailbox import SmtpServer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def outbid(user_id: int, key: str = "outbid:1:bid:1", **overrides: Any) -> Draft:
    return Draft(
        user_id=user_id,
        kind="outbid",
        dedupe_key=key,
        link="/auctions/1/",
        params={"title": "Komatsu PC200-8", "price": "EUR 52,000"},
        **overrides,
    )


def told(*drafts: Draft) -> list[int]:
    with transaction.atomic():
        return notify(list(drafts))


def test_an_immediate_notification_arrives_once_in_the_persons_language(smtp_settings: SmtpServer) -> None:
    buyer = UserFactory.create(primary_language_id="ja", email="kenji@example.jp")
    [notification_id] = told(outbid(buyer.pk))

    first = emails_send_due()
    again = emails_send_due()

    assert (first.sent, again.claimed) == (1, 0)
    [received] = smtp_settings.recorder.messages()
    message = received.message
    assert received.rcpt_tos == ["kenji@example.jp"]
    with translation.override("ja"):
        sentence = kind("outbid").sentence({"title": "Komatsu PC200-8", "price": "EUR 52,000"})
    # a long encoded subject is folded after "Subject:"; unfolding leaves a space readers drop
    assert message["Subject"].lstrip() == sentence
    assert message["Message-ID"] == f"<notification.{notification_id}@market.example.com>"
    assert "https://market.example.com/auctions/1/" in received.text()
    assert "\u30b5\u30a4\u30c8\u3067\u898b\u308b" in received.html()  # "See it on the site" in Japanese
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("https://market.example.com/alerts/unsubscribe/")
    row = OutgoingEmail.objects.get(notification_id=notification_id)
    assert (row.status, row.attempts, row.message_id) == (EmailStatus.SENT, 1, message["Message-ID"])

    # the header's link works as RFC 8058 has it: a POST without a CSRF token or a session
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(unsubscribe).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=buyer, kind="outbid").email == Email.OFF
    told(outbid(buyer.pk, key="outbid:1:bid:2"))
    assert emails_send_due().claimed == 0
    assert len(smtp_settings.recorder.messages()) == 1


def test_nothing_is_sent_to_who_said_no_or_has_no_address(smtp_settings: SmtpServer) -> None:
    kind_off = UserFactory.create()
    Preference.objects.create(user=kind_off, kind="outbid", site=True, email=Email.OFF)
    all_off = UserFactory.create()
    AlertSettings.objects.create(user=all_off, email_enabled=False)
    no_address = UserFactory.create(email="")

    told(outbid(kind_off.pk), outbid(all_off.pk), outbid(no_address.pk))

    assert not OutgoingEmail.objects.exists()
    assert not DigestEntry.objects.exists()
    assert emails_send_due().claimed == 0
    assert smtp_settings.recorder.messages() == []


def test_a_drafts_own_choice_wins_over_the_kinds_preference(smtp_settings: SmtpServer) -> None:
    buyer = UserFactory.create()
    Preference.objects.create(user=buyer, kind="saved_search_match", site=True, email=Email.OFF)
    draft = Draft(
        user_id=buyer.pk,
        kind="saved_search_match",
        dedupe_key="saved_search:3:machine:9",
        link="/machines/9/",
        params={"search": "PC200", "title": "Komatsu PC200-8"},
        email=Email.IMMEDIATE,  # the saved search asked for email at once
    )
    told(draft)

    assert emails_send_due().sent == 1
    assert (
        smtp_settings.recorder.messages()[0].message["Subject"]
        == "New for \u201cPC200\u201d: Komatsu PC200-8"
    )


def test_a_transient_refusal_is_retried_with_growing_delays_then_delivered_once(
    smtp_settings: SmtpServer,
) -> None:
    buyer = UserFactory.create()
    [notification_id] = told(outbid(buyer.pk))
    smtp_settings.recorder.refusals = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    start = timezone.now()

    first = emails_send_due(now=start)
    row = OutgoingEmail.objects.get(notification_id=notification_id)
    assert (first.retried, row.status, row.attempts) == (1, EmailStatus.PENDING, 1)
    assert row.next_attempt_at == start + timedelta(seconds=30)
    assert "451" in row.last_error

    assert emails_send_due(now=start + timedelta(seconds=29)).claimed == 0  # not due yet
    second = emails_send_due(now=start + timedelta(seconds=30))
    row.refresh_from_db()
    assert (second.retried, row.attempts) == (1, 2)
    assert row.next_attempt_at == start + timedelta(seconds=30 + 60)  # the delay doubled

    third = emails_send_due(now=start + timedelta(seconds=90))
    row.refresh_from_db()
    assert (third.sent, row.status, row.attempts) == (1, EmailStatus.SENT, 3)
    assert len(smtp_settings.recorder.messages()) == 1
    assert emails_send_due(now=start + timedelta(days=1)).claimed == 0


def test_a_refused_connection_is_transient_and_attempts_are_bounded(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    settings.ALERTS_EMAIL_MAX_ATTEMPTS = 2
    buyer = UserFactory.create()
    [notification_id] = told(outbid(buyer.pk))
    start = timezone.now()

    emails_send_due(now=start)
    row = OutgoingEmail.objects.get(notification_id=notification_id)
    assert (row.status, row.attempts) == (EmailStatus.PENDING, 1)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error

    last = emails_send_due(now=start + timedelta(hours=1))
    row.refresh_from_db()
    assert (last.failed, row.status, row.attempts) == (1, EmailStatus.FAILED, 2)
    assert emails_send_due(now=start + timedelta(days=2)).claimed == 0


def test_a_permanent_refusal_fails_without_retrying(smtp_settings: SmtpServer) -> None:
    buyer = UserFactory.create()
    [notification_id] = told(outbid(buyer.pk))
    smtp_settings.recorder.refusals = ["550 5.1.1 No such mailbox"]

    outcome = emails_send_due()

    row = OutgoingEmail.objects.get(notification_id=notification_id)
    assert (outcome.failed, row.status, row.attempts) == (1, EmailStatus.FAILED, 1)
    assert "550" in row.last_error
    assert emails_send_due(now=timezone.now() + timedelta(days=1)).claimed == 0
    assert smtp_settings.recorder.messages() == []


def test_the_file_backend_is_sent_once_too(settings: Any, tmp_path: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    buyer = UserFactory.create()
    told(outbid(buyer.pk))

    assert emails_send_due().sent == 1
    assert emails_send_due().claimed == 0
    [written] = list(tmp_path.iterdir())
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in written.read_text()


def test_staff_send_an_uncertain_email_again_but_never_a_sent_one(smtp_settings: SmtpServer) -> None:
    buyer = UserFactory.create()
    uncertain_id, sent_id = told(outbid(buyer.pk), outbid(buyer.pk, key="outbid:1:bid:2"))
    OutgoingEmail.objects.filter(notification_id=uncertain_id).update(
        status=EmailStatus.UNCERTAIN, attempts=1
    )
    OutgoingEmail.objects.filter(notification_id=sent_id).update(status=EmailStatus.SENT, attempts=1)

    queued = emails_requeue(ids=list(OutgoingEmail.objects.filter(user=buyer).values_list("pk", flat=True)))

    assert queued == 1
    assert emails_send_due().sent == 1
    [received] = smtp_settings.recorder.messages()
    assert received.message["Message-ID"] == f"<notification.{uncertain_id}@market.example.com>"


def test_staff_see_the_queue_by_status() -> None:
    buyer = UserFactory.create()
    [uncertain_id] = told(outbid(buyer.pk))
    OutgoingEmail.objects.filter(notification_id=uncertain_id).update(status=EmailStatus.UNCERTAIN)
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    listed = client.get("/admin/alerts/outgoingemail/?status__exact=uncertain")

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
