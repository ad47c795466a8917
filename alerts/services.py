"""Telling people things. Call `notify` inside the transaction of what happened: the
notification commits with it, and the person's open pages hear of it only after the commit."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from alerts.kinds import Email
from alerts.kinds import kind as kind_named
from alerts.models import Notification
from alerts.outgoing import Written, outgoing_enqueue
from alerts.preferences import silenced
from core.topics import notify as notify_topic

MAX_PARAM_TEXT = 300  # a listing's title in a sentence, not its description


def bell_topic(user_id: int) -> str:
    """The topic a person's open pages follow for their unread count (`alerts/live.py`)."""
    return f"user:{user_id}:notifications"


@dataclass(frozen=True)
class Draft:
    user_id: int
    kind: str
    dedupe_key: str
    link: str
    params: dict[str, Any] = field(default_factory=dict)
    machine_id: int | None = None
    email: Email | None = None  # instead of the person's preference for the kind: a saved search's own choice


def notify(drafts: Sequence[Draft]) -> list[int]:
    """Write each draft as a notification unless one with its user and `dedupe_key` exists;
    returns the ids of those written now. Must run inside a transaction (the one that made
    them true); the people told hear of it after it commits, and their email is queued with
    them as each person chose (`alerts/outgoing.py`). A kind its person turned off on the site
    is written already read: it stays in their list and its email goes, but the bell is silent."""
    if not drafts:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("notify() belongs in the transaction of what it tells")
    for draft in drafts:
        kind_named(draft.kind)  # an unknown kind is a bug, not a notification
    now = timezone.now()
    # a kind its person turned off on the site is kept (its email may still go) but read: no bell
    quiet = silenced((draft.user_id, draft.kind) for draft in drafts)
    params = [json.dumps({key: _bounded(value) for key, value in draft.params.items()}) for draft in drafts]
    table = Notification._meta.db_table
    # one array per column, bound on the server and sent in binary (no quoting of a text per
    # value): the statement and its parameters stay nine, however many rows
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, kind, params, link, dedupe_key, machine_id, created_at, read_at) "  # noqa: S608 - our table's name
            "SELECT user_id, kind, params, link, dedupe_key, machine_id, %s, CASE WHEN quiet THEN %s::timestamptz END "
            "FROM unnest(%b::bigint[], %b::text[], %b::text[]::jsonb[], %b::text[], %b::text[], %b::bigint[], %b::boolean[]) "
            "AS draft(user_id, kind, params, link, dedupe_key, machine_id, quiet) "
            "ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id, user_id, dedupe_key, read_at",
            [
                now,
                now,
                [draft.user_id for draft in drafts],
                [draft.kind for draft in drafts],
                params,
                [draft.link[:300] for draft in drafts],
                [draft.dedupe_key[:200] for draft in drafts],
                [draft.machine_id for draft in drafts],
                [(draft.user_id, draft.kind) in quiet for draft in drafts],
            ],
            binary=True,
            prepare=False,  # (a pooler between may not keep a session's prepared statements)
        )
        written = cursor.fetchall()
    by_key = {(draft.user_id, draft.dedupe_key[:200]): draft for draft in drafts}
    outgoing_enqueue(
        written=[
            Written(notification_id, user_id, by_key[(user_id, key)].kind, by_key[(user_id, key)].email)
            for notification_id, user_id, key, _ in written
        ],
        now=now,
    )
    for user_id in {user_id for _, user_id, _, read_at in written if read_at is None}:
        transaction.on_commit(_told(user_id))
    return [notification_id for notification_id, _, _, _ in written]


def _told(user_id: int) -> Callable[[], None]:
    return lambda: notify_topic(bell_topic(user_id))


def _bounded(value: Any) -> Any:
    if isinstance(value, dict):  # a value in several languages
        return {key: _bounded(text) for key, text in value.items()}
    return value[:MAX_PARAM_TEXT] if isinstance(value, str) else value


@transaction.atomic
def notifications_mark_read(*, user_id: int, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read: those in `ids`, or all of them. Returns how many
    changed; another person's ids change nothing."""
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    if changed:
        transaction.on_commit(lambda: notify_topic(bell_topic(user_id)))
    return changed
