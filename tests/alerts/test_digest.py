"""The daily digest: the notifications that waited for it become one email at the person's
digest time in their time zone, grouped by kind, newest first, bounded; built once per local
day; never during quiet hours (a digest time inside them moves to their end)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from alerts.digests import digest_due_at, digests_due
from alerts.kinds import Email
from alerts.mail import DIGEST_MAX_ITEMS
from alerts.models import AlertSettings, DigestEntry, EmailStatus, OutgoingEmail, Preference
from alerts.preferences import MailWindow
from alerts.sender import emails_send_due
from alerts.services import Draft, notify
from tests.alerts.mailbox import SmtpServer
from tests.factories import SellerFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


def waiting(user_id: int, kind: str, count: int, *, created: datetime, start: int = 0) -> None:
    """`count` notifications of `kind` waiting for the digest since `created` (a minute apart)."""
    with transaction.atomic():
        ids = notify(
            [
                Draft(
                    user_id=user_id,
                    kind=kind,
                    dedupe_key=f"{kind}:{start + number}",
                    link=f"/auctions/{start + number}/",
                    params={"title": f"Machine {start + number}", "price": "EUR 1", "search": "dozers"},
                )
                for number in range(count)
            ]
        )
    for offset, notification_id in enumerate(ids):
        DigestEntry.objects.filter(notification_id=notification_id).update(
            created_at=created + timedelta(minutes=offset)
        )


@pytest.fixture
def seller(db: None) -> int:
    person = SellerFactory.create(primary_language_id="en")
    AlertSettings.objects.create(user=person, timezone="Asia/Tokyo", digest_time=time(8, 0))
    Preference.objects.create(user=person, kind="saved_search_match", site=True, email=Email.DIGEST)
    return int(person.pk)


@pytest.mark.django_db
def test_a_days_notifications_make_one_email_grouped_by_kind_and_it_is_built_once(
    smtp_settings: SmtpServer, seller: int
) -> None:
    waiting(seller, "new_bid", 3, created=tokyo(7, 6, 0))  # new_bid goes to the digest by default
    waiting(seller, "saved_search_match", 2, created=tokyo(7, 7, 0), start=10)

    assert digests_due(now=tokyo(7, 7, 59)) == 0  # not yet eight in Tokyo
    assert digests_due(now=tokyo(7, 8, 0)) == 1
    assert digests_due(now=tokyo(7, 8, 30)) == 0  # built once
    assert emails_send_due().sent == 1
    assert digests_due(now=tokyo(8, 9, 0)) == 0  # nothing waits any more
    assert emails_send_due().claimed == 0

    [received] = smtp_settings.recorder.messages()
    text = received.text()
    assert received.message["Subject"] == "Your daily digest: 5 notifications"
    assert received.message["Message-ID"] == f"<digest.{seller}.20261207@market.example.com>"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sections = text.split("== ")
    assert [section.split(" ==")[0] for section in sections[1:]] == [
        "A new listing matches a saved search",  # the group with the newest notification first
        "A new bid on your auction",
    ]
    assert (
        text.index("New bid on Machine 2")
        < text.index("New bid on Machine 1")
        < text.index("New bid on Machine 0")
    )
    assert "New for \u201cdozers\u201d: Machine 11" in text
    assert not DigestEntry.objects.filter(user_id=seller, email__isnull=True).exists()
    assert OutgoingEmail.objects.get(user_id=seller).digest_day == date(2026, 12, 7)


@pytest.mark.django_db
def test_a_notification_after_the_digest_time_waits_for_the_next_days_digest(
    smtp_settings: SmtpServer, seller: int
) -> None:
    waiting(seller, "new_bid", 1, created=tokyo(7, 7, 0))
    waiting(seller, "new_bid", 1, created=tokyo(7, 9, 0), start=1)

    assert digests_due(now=tokyo(7, 9, 30)) == 1
    assert digests_due(now=tokyo(7, 23, 0)) == 0
    assert digests_due(now=tokyo(8, 8, 0)) == 1
    assert emails_send_due(now=tokyo(8, 8, 0)).sent == 2

    first, second = smtp_settings.recorder.messages()
    assert "Machine 0" in first.text()
    assert "Machine 1" not in first.text()
    assert "Machine 1" in second.text()
    assert "Machine 0" not in second.text()


@pytest.mark.django_db
def test_quiet_hours_postpone_the_digest_to_their_end(smtp_settings: SmtpServer, seller: int) -> None:
    AlertSettings.objects.filter(user_id=seller).update(quiet_start=time(7, 0), quiet_end=time(9, 0))
    waiting(seller, "new_bid", 2, created=tokyo(7, 6, 0))

    assert digests_due(now=tokyo(7, 8, 30)) == 0
    assert digests_due(now=tokyo(7, 9, 0)) == 1
    assert emails_send_due().sent == 1


@pytest.mark.django_db
def test_a_long_digest_is_bounded_and_says_how_many_more(smtp_settings: SmtpServer, seller: int) -> None:
    waiting(seller, "new_bid", DIGEST_MAX_ITEMS + 3, created=tokyo(7, 5, 0))

    digests_due(now=tokyo(7, 8, 0))
    emails_send_due()

    [received] = smtp_settings.recorder.messages()
    text = received.text()
    assert received.message["Subject"] == f"Your daily digest: {DIGEST_MAX_ITEMS + 3} notifications"
    assert text.count("New bid on Machine") == DIGEST_MAX_ITEMS
    assert "and 3 more" in text
    assert "Machine 0\n" not in text  # the oldest are the ones left out


@pytest.mark.django_db
def test_nothing_waits_for_a_digest_once_every_email_is_off(smtp_settings: SmtpServer, seller: int) -> None:
    waiting(seller, "new_bid", 2, created=tokyo(7, 6, 0))
    AlertSettings.objects.filter(user_id=seller).update(email_enabled=False)

    assert digests_due(now=tokyo(7, 8, 0)) == 0
    assert not DigestEntry.objects.exists()
    assert not OutgoingEmail.objects.filter(status=EmailStatus.PENDING).exists()


def test_a_digest_time_in_quiet_hours_across_midnight_moves_to_the_next_morning() -> None:
    window = MailWindow(
        timezone="Asia/Tokyo", quiet_start=time(22, 0), quiet_end=time(7, 0), digest_time=time(23, 0)
    )
    assert digest_due_at(window, date(2026, 12, 7)) == tokyo(8, 7, 0)


hours = st.integers(min_value=0, max_value=23).map(lambda hour: time(hour, 0))


@given(
    digest=hours,
    quiet_start=st.none() | hours,
    quiet_end=hours,
    day=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
)
def test_a_digest_is_due_within_a_day_of_its_time_and_never_in_quiet_hours(
    digest: time, quiet_start: time | None, quiet_end: time, day: date
) -> None:
    window = MailWindow(
        timezone="Europe/Berlin", quiet_start=quiet_start, quiet_end=quiet_end, digest_time=digest
    )
    due = digest_due_at(window, day)
    scheduled = datetime.combine(day, digest, tzinfo=window.zone)

    assert scheduled <= due < scheduled + timedelta(days=1)
    assert not window.is_quiet(due.astimezone(window.zone).time())
