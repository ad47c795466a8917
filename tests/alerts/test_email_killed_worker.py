"""Exactly once across a killed sender: `manage.py alerts_sender` in a process of its own,
the in-process SMTP server holding the exchange, the sender SIGKILLed there, another started.

Held at RCPT (before the data phase) the message is sent again, once, by the next sender;
held at DATA (the server has the message) the row becomes `uncertain` and nothing is sent
again: the mailbox has exactly one message either way."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction

from alerts.models import EmailStatus, OutgoingEmail
from alerts.services import Draft, notify
from tests.alerts.mailbox import SmtpServer
from tests.conftest import manage_py_process
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 30.0
LEASE_SECONDS = "2"


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)  # polling a condition with a deadline, not standing in for one


@pytest.fixture
def senders(
    smtp_settings: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[subprocess.Popen[str]]]:
    monkeypatch.setenv("ALERTS_EMAIL_LEASE_SECONDS", LEASE_SECONDS)
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def start_sender(senders: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    process = manage_py_process("alerts_sender", "--poll-seconds", "0.2")
    senders.append(process)
    return process


def queued_email() -> OutgoingEmail:
    buyer = UserFactory.create()
    with transaction.atomic():
        [notification_id] = notify(
            [
                Draft(
                    user_id=buyer.pk,
                    kind="outbid",
                    dedupe_key="outbid:7",
                    link="/auctions/7/",
                    params={"title": "D6"},
                )
            ]
        )
    return OutgoingEmail.objects.get(notification_id=notification_id)


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def test_a_sender_killed_before_the_data_phase_is_replaced_and_the_message_sent_once(
    smtp_settings: SmtpServer, senders: list[subprocess.Popen[str]]
) -> None:
    recorder = smtp_settings.recorder
    recorder.hold_at = "RCPT"
    row = queued_email()

    first = start_sender(senders)
    assert recorder.reached.wait(DEADLINE), "the sender never reached RCPT"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.data_started_at) == (EmailStatus.SENDING, 1, None)
    kill(first)
    recorder.hold_at = None
    recorder.release.set()

    start_sender(senders)
    until(lambda: OutgoingEmail.objects.get(pk=row.pk).status == EmailStatus.SENT, "the second sender's send")

    row.refresh_from_db()
    assert row.attempts == 2
    [received] = recorder.messages()
    assert received.message["Message-ID"] == row.message_id


def test_a_sender_killed_during_the_data_phase_leaves_the_row_uncertain_and_sends_nothing_more(
    smtp_settings: SmtpServer, senders: list[subprocess.Popen[str]]
) -> None:
    recorder = smtp_settings.recorder
    recorder.hold_at = "DATA"  # the server has the message and has not answered yet
    row = queued_email()

    first = start_sender(senders)
    assert recorder.reached.wait(DEADLINE), "the sender never reached DATA"
    row.refresh_from_db()
    assert row.status == EmailStatus.SENDING
    assert row.data_started_at is not None
    kill(first)
    recorder.hold_at = None
    recorder.release.set()

    second = start_sender(senders)
    until(
        lambda: OutgoingEmail.objects.get(pk=row.pk).status == EmailStatus.UNCERTAIN,
        "the row turning uncertain",
    )
    second.send_signal(signal.SIGTERM)
    output, _ = second.communicate(timeout=DEADLINE)

    assert second.returncode == 0, output
    assert "alerts sender stopped" in output
    row.refresh_from_db()
    assert (row.attempts, row.sent_at) == (1, None)
    assert len(recorder.messages()) == 1  # the one the server took before the kill


def test_two_senders_share_the_queue_and_send_each_email_once(
    smtp_settings: SmtpServer, senders: list[subprocess.Popen[str]]
) -> None:
    buyer = UserFactory.create()
    with transaction.atomic():
        ids = notify(
            [
                Draft(user_id=buyer.pk, kind="outbid", dedupe_key=f"outbid:{n}", link=f"/auctions/{n}/")
                for n in range(30)
            ]
        )

    pair = [manage_py_process("alerts_sender", "--once") for _ in range(2)]
    senders.extend(pair)
    for process in pair:
        output, _ = process.communicate(timeout=DEADLINE * 2)
        assert process.returncode == 0, output

    message_ids = [received.message["Message-ID"] for received in smtp_settings.recorder.messages()]
    assert sorted(message_ids) == sorted(f"<notification.{n}@market.example.com>" for n in ids)
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(EmailStatus.SENT, 1)}


def test_a_waiting_sender_wakes_on_the_commit_not_its_poll(
    smtp_settings: SmtpServer, senders: list[subprocess.Popen[str]]
) -> None:
    sender = manage_py_process("alerts_sender", "--poll-seconds", "300")
    senders.append(sender)
    assert sender.stdout is not None
    assert sender.stdout.readline().strip() == "alerts sender started"

    row = queued_email()

    until(lambda: len(smtp_settings.recorder.messages()) == 1, "the email, long before the next poll")
    until(lambda: OutgoingEmail.objects.get(pk=row.pk).status == EmailStatus.SENT, "the row marked sent")
