"""Saved searches told of new listings: the outbox worker's alerts topic hands over the
listings published, and those whose price dropped, after they committed; each is read again,
made the search document the machine index holds (search/sync.py builds it), and percolated
with the rest of its batch in one request (alerts/percolator.py). Every unpaused saved search
that finds it, but its own seller's, gets one notification: the dedupe key
`saved_search:<id>:machine:<id>` makes a second one impossible, however often the listing is
published, drained or cheapened again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from alerts.models import Delivery, SavedSearch
from alerts.percolator import percolate
from alerts.saved_searches import EMAIL_OF_DELIVERY
from alerts.services import Draft, notify
from marketplace.outbox import OutboxRow

PERCOLATE_BATCH = 500  # listings percolated together (their words request parses each words query once)
NOTIFY_BATCH = 10_000  # notifications in one INSERT (of one array per column)


def machines_published(rows: list[OutboxRow]) -> None:
    tell_matches(row.entity_id for row in rows)


def machine_prices_changed(rows: list[OutboxRow]) -> None:
    """Only a drop (compared in the pivot currency) can bring a listing into a price range
    it was not in; a rise is no news to a saved search."""
    tell_matches(row.entity_id for row in rows if price_dropped(row.payload))


def price_dropped(payload: dict[str, Any]) -> bool:
    from marketplace.money import to_pivot

    try:
        old, new = payload["old_price"], payload["new_price"]
        return to_pivot(int(new["minor"]), new["currency"]) < to_pivot(int(old["minor"]), old["currency"])
    except (KeyError, TypeError, ValueError):
        return False


def listing_documents(machine_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The search documents of those listings buyers may see now, by machine id."""
    from search.sync import machine_actions

    return {
        int(action["_id"]): action["_source"]
        for action in machine_actions(set(machine_ids), index="-")
        if action["_op_type"] == "index"
    }


def tell_matches(machine_ids: Iterable[int]) -> list[int]:
    """Percolate these listings and notify the owners of the saved searches that find them;
    returns the ids of the notifications written now. Runs in the worker's transaction."""
    from marketplace.models import Machine
    from marketplace.money import format_money

    if not SavedSearch.objects.filter(paused=False).exists():
        return []  # no one to tell: the engine is not asked (nor its index needed)
    documents = listing_documents(machine_ids)
    ordered = sorted(documents)
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(ordered), PERCOLATE_BATCH):
        chunk = ordered[start : start + PERCOLATE_BATCH]
        pairs += [(search_id, chunk[slot]) for search_id, slot in percolate([documents[i] for i in chunk])]
    if not pairs:
        return []
    searches = SavedSearch.objects.select_related("user").in_bulk({search_id for search_id, _ in pairs})
    machines = Machine.objects.in_bulk({machine_id for _, machine_id in pairs})
    links = {pk: reverse("machine-detail", args=[pk]) for pk in machines}
    prices = {pk: format_money(m.price_amount, m.price_currency_id) for pk, m in machines.items()}
    drafts = []
    for search_id, machine_id in pairs:
        saved, machine = searches.get(search_id), machines.get(machine_id)
        if saved is None or machine is None or saved.paused or saved.user_id == machine.seller_id:
            continue
        language = saved.user.primary_language_id
        title = (
            machine.title.get(language) or machine.title.get("en") or next(iter(machine.title.values()), "")
        )
        drafts.append(
            Draft(
                user_id=saved.user_id,
                kind="saved_search_match",
                dedupe_key=f"saved_search:{saved.pk}:machine:{machine.pk}",
                link=links[machine.pk],
                params={"search": saved.name, "title": title, "price": prices[machine.pk]},
                machine_id=machine.pk,
                email=EMAIL_OF_DELIVERY[Delivery(saved.delivery)],
            )
        )
    written: list[int] = []
    for start in range(0, len(drafts), NOTIFY_BATCH):
        written += notify(drafts[start : start + NOTIFY_BATCH])
    return written
