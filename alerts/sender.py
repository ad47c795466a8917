"""Sends the queued emails (`OutgoingEmail`), each at most once, whichever sender dies when.

A sender claims due rows under their row locks (`SELECT … FOR UPDATE SKIP LOCKED`: any number
of senders share the queue) and **commits the attempt before sending**: status `sending`, one
more attempt, a lease. It then drives the SMTP exchange itself on the backend's connection:
MAIL FROM and RCPT TO; then it commits "data phase started" (`data_started_at`); only then
DATA. A 250 to the message marks it `sent`.

If the sender is killed, its rows stay `sending` until their lease runs out, and the next
sender decides by `data_started_at`:

- not set: the server never saw the message (no DATA was sent); it is sent again, with the
  same Message-ID (derived from the notification, or the person and day of a digest);
- set: the server may have it, as SMTP gives no way to ask. The row becomes `uncertain`
  and is **never re-sent automatically**: for that window (from DATA to the commit of `sent`,
  a few milliseconds per message) this is at-most-once delivery, chosen over a duplicate.
  Staff see `uncertain` rows in the admin and may send one again (`emails_requeue`).

A reply also decides: a 4xx, a refused or lost connection before DATA are transient (retried
with exponential backoff, ALERTS_EMAIL_RETRY_SECONDS doubling, up to ALERTS_EMAIL_MAX_ATTEMPTS
attempts, then `failed`); a 5xx is permanent (`failed`). A connection lost during DATA is
`uncertain`, as above. Backends without an SMTP connection (file, console, locmem) are sent
through `send_messages` with the same record first, so they too send each row at most once.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts.mail import compose, message_id
from alerts.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF = timedelta(hours=6)
MAX_ERROR = 1000


class _TransientError(Exception):
    """The server or the network refused for now: try again later."""


class _PermanentError(Exception):
    """The server refused for good (5xx)."""


class _UncertainError(Exception):
    """The connection was lost during DATA: the server may have the message."""


class _LeaseLostError(Exception):
    """Another sender took the row over: this one must not send it."""


@dataclass
class Outcome:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)


def emails_send_due(*, now: datetime | None = None, limit: int = BATCH) -> Outcome:
    """Send up to `limit` due emails (`now` is the clock, injectable in tests)."""
    now = now or timezone.now()
    outcome = Outcome()
    rows = _claim(now=now, limit=limit, outcome=outcome)
    outcome.claimed = len(rows)
    if not rows:
        return outcome
    backend: Any = None
    try:
        for row in rows:
            try:
                message = compose(row)
                if message is None:
                    _finish(
                        row, EmailStatus.FAILED, error="nothing left to tell (no address, or no notification)"
                    )
                    outcome.failed += 1
                    continue
                if backend is None:
                    backend = get_connection(fail_silently=False)
                    backend.open()
                if isinstance(getattr(backend, "connection", None), smtplib.SMTP):
                    _send_smtp(row, message, backend.connection)
                else:
                    _mark_data_started(row)
                    backend.send_messages([message])
                _finish(row, EmailStatus.SENT, message_id=message_id(row))
                outcome.sent += 1
            except _LeaseLostError:
                continue
            except _PermanentError as error:
                _finish(row, EmailStatus.FAILED, error=str(error))
                outcome.failed += 1
            except _UncertainError as error:
                _finish(row, EmailStatus.UNCERTAIN, error=str(error))
                outcome.uncertain += 1
                _closed(backend)
                backend = None
            except (_TransientError, OSError, smtplib.SMTPException) as error:
                failed = _retry_later(row, now=now, error=f"{type(error).__name__}: {error}")
                outcome.failed += failed
                outcome.retried += not failed
                outcome.errors.append(str(error))
                _closed(backend)
                backend = None
    finally:
        _closed(backend)
    return outcome


def _closed(backend: Any) -> None:
    """Close a backend: after an error its connection is in an unknown state, and the next
    row opens a fresh one."""
    if backend is not None:
        try:
            backend.close()
        except (OSError, smtplib.SMTPException):
            logger.info("closing the SMTP connection failed", exc_info=True)


@transaction.atomic
def _claim(*, now: datetime, limit: int, outcome: Outcome) -> list[OutgoingEmail]:
    """Lock due rows, record the attempt and commit it (the caller sends after this returns).
    A row whose lease ran out after its attempt reached DATA becomes `uncertain`."""
    due = (
        OutgoingEmail.objects.select_for_update(skip_locked=True)
        .filter(
            Q(status=EmailStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=EmailStatus.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at", "id")[:limit]
    )
    claimed = []
    for row in due:
        if row.status == EmailStatus.SENDING and row.data_started_at is not None:
            row.status, row.lease_until = EmailStatus.UNCERTAIN, None
            row.last_error = "the sender stopped during the data phase: the server may have it; not re-sent"
            row.save(update_fields=["status", "lease_until", "last_error"])
            outcome.uncertain += 1
            continue
        if row.attempts >= settings.ALERTS_EMAIL_MAX_ATTEMPTS:
            row.status, row.lease_until = EmailStatus.FAILED, None
            row.last_error = (row.last_error + "; attempts exhausted")[-MAX_ERROR:]
            row.save(update_fields=["status", "lease_until", "last_error"])
            outcome.failed += 1
            continue
        row.status = EmailStatus.SENDING
        row.attempts += 1
        row.claimed_at = now
        row.lease_until = now + timedelta(seconds=settings.ALERTS_EMAIL_LEASE_SECONDS)
        row.data_started_at = None
        row.save(update_fields=["status", "attempts", "claimed_at", "lease_until", "data_started_at"])
        claimed.append(row)
    return claimed


def _held(row: OutgoingEmail) -> Any:
    """The row while this sender's attempt still holds it (the attempt count fences it)."""
    return OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENDING, attempts=row.attempts)


def _mark_data_started(row: OutgoingEmail) -> None:
    with transaction.atomic():
        if not _held(row).update(data_started_at=timezone.now()):
            raise _LeaseLostError


def _finish(row: OutgoingEmail, status: EmailStatus, *, error: str = "", message_id: str = "") -> None:
    changes: dict[str, Any] = {"status": status, "lease_until": None}
    if error:
        changes["last_error"] = error[:MAX_ERROR]
    if status == EmailStatus.SENT:
        changes.update(sent_at=timezone.now(), message_id=message_id)
    _held(row).update(**changes)


def _retry_later(row: OutgoingEmail, *, now: datetime, error: str) -> bool:
    """Back to `pending` after a growing delay, or `failed` past the last attempt; True if failed."""
    if row.attempts >= settings.ALERTS_EMAIL_MAX_ATTEMPTS:
        _finish(row, EmailStatus.FAILED, error=error)
        return True
    delay = min(MAX_BACKOFF, timedelta(seconds=settings.ALERTS_EMAIL_RETRY_SECONDS * 2 ** (row.attempts - 1)))
    _held(row).update(
        status=EmailStatus.PENDING,
        next_attempt_at=now + delay,
        lease_until=None,
        data_started_at=None,
        last_error=error[:MAX_ERROR],
    )
    return False


def _refusal(stage: str, code: int, reply: bytes | str) -> Exception:
    said = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = f"{stage} refused: {code} {said}"
    return _PermanentError(text) if 500 <= code < 600 else _TransientError(text)


def _send_smtp(row: OutgoingEmail, message: EmailMessage, smtp: smtplib.SMTP) -> None:
    """One message through an open SMTP connection, recording the data phase before it starts."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    body = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # SafeMIMEText is an email.message.Message of policy default
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise _refusal("MAIL FROM", code, reply)
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            smtp.rset()
            raise _refusal("RCPT TO", code, reply)
    try:
        _mark_data_started(row)
    except _LeaseLostError:
        smtp.rset()
        raise
    try:
        code, reply = smtp.data(body)
    except smtplib.SMTPDataError as error:  # DATA itself refused: the message was not sent
        raise _refusal("DATA", error.smtp_code, error.smtp_error) from None
    except (OSError, smtplib.SMTPServerDisconnected) as error:
        raise _UncertainError(f"connection lost during DATA: {error}") from None
    if code != 250:
        raise _refusal("the message", code, reply)


@transaction.atomic
def emails_requeue(*, ids: list[int]) -> int:
    """A staff decision: send `uncertain` or `failed` emails again (the attempts start over).
    Other rows are left alone. Returns how many were queued."""
    return OutgoingEmail.objects.filter(
        pk__in=ids, status__in=[EmailStatus.UNCERTAIN, EmailStatus.FAILED]
    ).update(
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_until=None,
        data_started_at=None,
    )
