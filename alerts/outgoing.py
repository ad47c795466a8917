"""The email side of telling: each notification written is queued for its person's mailbox as
they chose (an email of its own now, a place in tomorrow's digest, or nothing), in the same
transaction as the notification. `alerts/sender.py` sends what is queued."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection

from alerts.kinds import Email
from alerts.models import DigestEntry, EmailStatus, OutgoingEmail
from alerts.preferences import email_choices, mail_windows

NOTIFY_CHANNEL = "alerts_email"  # the sender LISTENs; PostgreSQL delivers it at commit


@dataclass(frozen=True)
class Written:
    notification_id: int
    user_id: int
    kind: str
    email: Email | None  # the draft's own choice, instead of the person's preference


def outgoing_enqueue(*, written: Sequence[Written], now: datetime) -> None:
    """Queue the emails of notifications just written. Call inside their transaction (from
    `alerts.services.notify`): the queue rows commit or roll back with them."""
    if not written:
        return
    users = {item.user_id for item in written}
    addressed = set(
        get_user_model().objects.filter(pk__in=users).exclude(email="").values_list("pk", flat=True)
    )
    windows = mail_windows(addressed)
    preferred = email_choices(
        (item.user_id, item.kind) for item in written if item.user_id in addressed and item.email is None
    )
    immediate: list[Written] = []
    digest: list[Written] = []
    for item in written:
        if item.user_id not in addressed or not windows[item.user_id].email_enabled:
            continue
        channel = item.email or preferred[(item.user_id, item.kind)]
        if channel is Email.IMMEDIATE:
            immediate.append(item)
        elif channel is Email.DIGEST:
            digest.append(item)
    with connection.cursor() as cursor:
        if digest:
            cursor.execute(
                f"INSERT INTO {DigestEntry._meta.db_table} (notification_id, user_id, created_at) "  # noqa: S608 - our table's name
                "SELECT notification_id, user_id, %s FROM unnest(%s::bigint[], %s::bigint[]) AS entry(notification_id, user_id)",
                [now, [item.notification_id for item in digest], [item.user_id for item in digest]],
            )
        if immediate:
            cursor.execute(
                f"INSERT INTO {OutgoingEmail._meta.db_table} "  # noqa: S608 - our table's name
                "(user_id, notification_id, status, attempts, next_attempt_at, last_error, message_id, created_at) "
                "SELECT user_id, notification_id, %s, 0, %s, '', '', %s "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS email(notification_id, user_id)",
                [EmailStatus.PENDING, now, now,
                 [item.notification_id for item in immediate], [item.user_id for item in immediate]],
            )  # fmt: skip
            cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
