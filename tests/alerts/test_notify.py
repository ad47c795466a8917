"""The ground every alert stands on: a notification is told once, in the transaction of what
it tells, and the marketplace announces what may be told through the outbox's alerts topic."""

from __future__ import annotations

import pytest
from django.db import transaction

from alerts.models import Notification, OutgoingEmail, Preference
from alerts.selectors import unread_count
from alerts.services import Draft, notifications_mark_read, notify
from core.money import Money
from marketplace import services
from marketplace.models import OutboxEvent
from tests.factories import MachineFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def draft(user_id: int, key: str = "saved_search:1:machine:1") -> Draft:
    return Draft(
        user_id=user_id,
        kind="saved_search_match",
        dedupe_key=key,
        link="/machines/1/",
        params={"title": "PC200"},
    )


def test_the_same_thing_is_told_once() -> None:
    buyer = UserFactory.create()
    with transaction.atomic():
        first = notify([draft(buyer.pk), draft(buyer.pk)])
        again = notify([draft(buyer.pk)])
    assert len(first) == 1
    assert again == []
    assert Notification.objects.filter(user=buyer).count() == 1
    assert unread_count(buyer.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_telling_outside_a_transaction_or_an_unknown_kind_is_refused() -> None:
    buyer = UserFactory.create()
    with pytest.raises(RuntimeError):
        notify([draft(buyer.pk)])
    with transaction.atomic(), pytest.raises(ValueError, match="unknown notification kind"):
        notify([Draft(user_id=buyer.pk, kind="gossip", dedupe_key="x", link="/")])
    assert not Notification.objects.exists()


def test_a_rolled_back_write_tells_nothing() -> None:
    buyer = UserFactory.create()

    def told_then_failed() -> None:
        with transaction.atomic():
            notify([draft(buyer.pk)])
            raise ZeroDivisionError  # the write that fails after telling

    with pytest.raises(ZeroDivisionError):
        told_then_failed()
    assert not Notification.objects.exists()


def test_marking_read_touches_only_ones_own() -> None:
    buyer, other = UserFactory.create(), UserFactory.create()
    with transaction.atomic():
        mine = notify([draft(buyer.pk, "a"), draft(buyer.pk, "b")])
        theirs = notify([draft(other.pk, "a")])
    assert notifications_mark_read(user_id=buyer.pk, ids=[mine[0], *theirs]) == 1
    assert (unread_count(buyer.pk), unread_count(other.pk)) == (1, 1)
    assert notifications_mark_read(user_id=buyer.pk) == 1
    assert unread_count(buyer.pk) == 0


def test_a_kind_turned_off_on_the_site_rings_no_bell_but_is_kept() -> None:
    buyer, other = UserFactory.create(), UserFactory.create()
    Preference.objects.create(user=buyer, kind="saved_search_match", site=False, email="immediate")
    with transaction.atomic():
        written = notify([draft(buyer.pk), draft(other.pk)])
    assert len(written) == 2
    assert (unread_count(buyer.pk), unread_count(other.pk)) == (0, 1)
    assert Notification.objects.get(user=buyer).read_at is not None
    assert OutgoingEmail.objects.filter(user=buyer).count() == 1  # its email still goes


def alerts_rows() -> list[tuple[str, int, dict[str, object]]]:
    return list(
        OutboxEvent.objects.filter(topic="alerts")
        .order_by("id")
        .values_list("entity", "entity_id", "payload")
    )


def test_the_marketplace_announces_what_may_be_told() -> None:
    seller = SellerFactory.create()
    machine = MachineFactory.create(
        seller=seller, status="draft", price_amount=10_000_000, price_currency_id="JPY"
    )
    services.machine_publish(actor=seller, machine_id=machine.pk)
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(9_000_000, "JPY"))
    services.machine_update(
        actor=seller, machine_id=machine.pk, year=2019
    )  # no price change: nothing to tell
    buyer = UserFactory.create()
    enquiry = services.enquiry_send(buyer=buyer, machine_id=machine.pk, body="Is it still available?")
    services.machine_mark_sold(actor=seller, machine_id=machine.pk)
    message_id = enquiry.messages.get().pk
    assert alerts_rows() == [
        ("machine_published", machine.pk, {}),
        (
            "machine_price_changed",
            machine.pk,
            {
                "old_price": {"amount": "10000000", "currency": "JPY", "minor": 10_000_000},
                "new_price": {"amount": "9000000", "currency": "JPY", "minor": 9_000_000},
            },
        ),
        ("enquiry_message", message_id, {}),
        ("machine_sold", machine.pk, {}),
    ]
