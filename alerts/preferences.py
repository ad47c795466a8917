"""How each person wants to be told: per kind, on the site and by email (off, immediately or
in the daily digest), and when mail may come (time zone, quiet hours, the digest's hour, one
switch for all email). A kind nobody chose for reads as its default in `alerts/kinds.py`."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from functools import cache

from django.db import transaction

from alerts.kinds import KINDS, Email
from alerts.kinds import kind as kind_named
from alerts.models import AlertSettings, Preference
from core.errors import DomainError

ALL_KINDS = "*"  # an unsubscribe token for every kind at once (a digest's List-Unsubscribe)


@dataclass(frozen=True)
class Choice:
    site: bool
    email: Email


@dataclass(frozen=True)
class MailWindow:
    """When a person's mail may come, in their own time zone."""

    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_time: time = time(8, 0)
    email_enabled: bool = True

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_quiet(self, local: time) -> bool:
        """Whether a local time of day falls in the quiet hours (which may span midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def choices_for(user_id: int) -> dict[str, Choice]:
    """Every kind's choice for one person: theirs where they made one, else the kind's default."""
    chosen = {row.kind: row for row in Preference.objects.filter(user_id=user_id)}
    return {
        code: Choice(site=chosen[code].site, email=Email(chosen[code].email))
        if code in chosen
        else Choice(site=kind.site, email=kind.email)
        for code, kind in KINDS.items()
    }


def silenced(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (user id, kind) pairs whose person turned the kind off on the site; one query."""
    wanted = set(pairs)
    users = {user_id for user_id, _ in wanted}
    chosen = {
        (user_id, code): site
        for user_id, code, site in Preference.objects.filter(user_id__in=users).values_list(
            "user_id", "kind", "site"
        )
    }
    return {pair for pair in wanted if not chosen.get(pair, kind_named(pair[1]).site)}


def email_choices(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Email]:
    """The email choice of each (user id, kind), defaults filled in; one query."""
    wanted = set(pairs)
    users = {user_id for user_id, _ in wanted}
    chosen = {
        (user_id, code): Email(email)
        for user_id, code, email in Preference.objects.filter(user_id__in=users).values_list(
            "user_id", "kind", "email"
        )
    }
    return {pair: chosen.get(pair, kind_named(pair[1]).email) for pair in wanted}


def mail_windows(user_ids: Iterable[int]) -> dict[int, MailWindow]:
    """Each person's mail window, the defaults for those who never set one; one query."""
    ids = set(user_ids)
    windows = dict.fromkeys(ids, MailWindow())
    for row in AlertSettings.objects.filter(user_id__in=ids):
        windows[row.user_id] = _window(row)
    return windows


def mail_window(user_id: int) -> MailWindow:
    return mail_windows([user_id])[user_id]


def _window(row: AlertSettings) -> MailWindow:
    return MailWindow(
        timezone=row.timezone,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        digest_time=row.digest_time,
        email_enabled=row.email_enabled,
    )


@transaction.atomic
def alert_preferences_save(*, user_id: int, choices: Mapping[str, Choice], window: MailWindow) -> None:
    """Store a person's choices for the kinds given and their mail window. A kind that is not
    one, or a time zone that is not an IANA name, is refused and nothing changes."""
    for code in choices:
        kind_named(code)
    if window.timezone not in timezone_names():
        raise DomainError("Unknown time zone.", code="invalid_timezone", fields={"timezone": ["unknown"]})
    for code, choice in choices.items():
        Preference.objects.update_or_create(
            user_id=user_id, kind=code, defaults={"site": choice.site, "email": choice.email.value}
        )
    AlertSettings.objects.update_or_create(
        user_id=user_id,
        defaults={
            "timezone": window.timezone,
            "quiet_start": window.quiet_start,
            "quiet_end": window.quiet_end,
            "digest_time": window.digest_time,
            "email_enabled": window.email_enabled,
        },
    )


@transaction.atomic
def email_unsubscribe(*, user_id: int, kind: str) -> None:
    """Turn one kind's email off for a person (their site choice stays), or with `ALL_KINDS`
    every email. Idempotent: unsubscribing twice is unsubscribing once."""
    if kind == ALL_KINDS:
        AlertSettings.objects.update_or_create(user_id=user_id, defaults={"email_enabled": False})
        return
    default = kind_named(kind)
    preference, created = Preference.objects.get_or_create(
        user_id=user_id, kind=kind, defaults={"site": default.site, "email": Email.OFF.value}
    )
    if not created and preference.email != Email.OFF.value:
        preference.email = Email.OFF.value
        preference.save(update_fields=["email"])
