from __future__ import annotations

from django.db import transaction

from core.errors import ConflictError, NotFoundError
from core.topics import notify
from events import producers as events
from events.emit import acting
from marketplace.live import watchers_topic
from marketplace.models import Machine, User, WatchlistEntry
from marketplace.models.machines import VISIBLE_STATUSES
from marketplace.selectors import WATCHLIST_MAX


@transaction.atomic
def watch_add(*, user: User, machine_id: int) -> WatchlistEntry:
    """Idempotent: watching a machine twice keeps one entry. Once a new entry commits, the
    listing's open pages are told its watcher count changed."""
    if not Machine.objects.filter(pk=machine_id, status__in=VISIBLE_STATUSES).exists():
        raise NotFoundError("No such listing.")
    entry = WatchlistEntry.objects.filter(user=user, machine_id=machine_id).first()
    if entry is not None:
        return entry
    User.objects.select_for_update().filter(pk=user.pk).first()  # one buyer's watches, counted one at a time
    if WatchlistEntry.objects.filter(user=user).count() >= WATCHLIST_MAX:
        raise ConflictError(f"A watchlist holds at most {WATCHLIST_MAX} listings.", code="watchlist_full")
    entry, created = WatchlistEntry.objects.get_or_create(user=user, machine_id=machine_id)
    if created:
        events.buyer_watched_machine(
            machine_id=machine_id, watchers=_watchers(machine_id), actor=acting(user.pk)
        )
        transaction.on_commit(lambda: notify(watchers_topic(machine_id)))
    return entry


@transaction.atomic
def watch_remove(*, user: User, machine_id: int) -> None:
    """Once the entry's removal commits, the listing's open pages are told its watcher count
    changed."""
    deleted, _ = WatchlistEntry.objects.filter(user=user, machine_id=machine_id).delete()
    if not deleted:
        raise NotFoundError("This machine is not on your watchlist.")
    events.buyer_unwatched_machine(
        machine_id=machine_id, watchers=_watchers(machine_id), actor=acting(user.pk)
    )
    transaction.on_commit(lambda: notify(watchers_topic(machine_id)))


def _watchers(machine_id: int) -> int:
    return WatchlistEntry.objects.filter(machine_id=machine_id).count()
