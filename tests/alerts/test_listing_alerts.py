"""Listing alerts end to end: the marketplace's services write their outbox rows, the outbox
worker's alerts topic tells the listing's watchers (never its seller) and each party of an
enquiry of the other's messages, and a batch handed over again tells nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import override

from alerts.models import Notification
from alerts.projection import apply_events
from alerts.selectors import sentence
from core.money import Money
from marketplace import services
from marketplace.models import OutboxEvent
from marketplace.outbox import drain_rows
from tests.factories import MachineFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def drain() -> None:
    result = drain_rows("alerts", apply_events)
    assert not result.failed, result.error


def told(user: Any) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", "dedupe_key"))


@pytest.fixture
def listing() -> dict[str, Any]:
    seller = SellerFactory.create()
    machine = MachineFactory.create(
        seller=seller,
        price_amount=10_000_000,
        price_currency_id="JPY",
        title={"en": "PC200-8", "ja": "PC200-8 ja"},
    )
    watchers = UserFactory.create_batch(2)
    for watcher in watchers:
        services.watch_add(user=watcher, machine_id=machine.pk)
    services.watch_add(user=UserFactory.create(), machine_id=MachineFactory.create().pk)  # another listing's
    return {"seller": seller, "machine": machine, "watchers": watchers}


@pytest.mark.usefixtures("percolator_index")  # a price that drops is also percolated for saved searches
def test_a_price_change_tells_the_listing_s_watchers_once_and_a_later_change_again(
    listing: dict[str, Any],
) -> None:
    seller, machine, (first, second) = listing["seller"], listing["machine"], listing["watchers"]
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(9_000_000, "JPY"))
    drain()
    (notification,) = Notification.objects.filter(user=first)
    assert notification.kind == "price_changed"
    assert notification.link == f"/machines/{machine.pk}/"
    with override("en"):
        assert sentence(notification) == "PC200-8: the price changed from ¥10,000,000 to ¥9,000,000"
    with override("ja"):
        assert sentence(notification).startswith("PC200-8 ja")
    assert len(told(second)) == 1
    assert told(seller) == []

    OutboxEvent.objects.filter(topic="alerts").update(processed_at=None)  # the batch handed over again
    drain()
    assert len(told(first)) == 1

    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(10_000_000, "JPY"))
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(9_000_000, "JPY"))
    drain()
    assert [kind for kind, _ in told(first)] == ["price_changed"] * 3  # the same prices again are news again


def test_the_seller_watching_their_own_listing_is_not_told_of_its_changes(listing: dict[str, Any]) -> None:
    seller, machine = listing["seller"], listing["machine"]
    services.watch_add(user=seller, machine_id=machine.pk)
    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(9_500_000, "JPY"))
    services.machine_mark_sold(actor=seller, machine_id=machine.pk)
    drain()
    assert told(seller) == []
    assert [kind for kind, _ in told(listing["watchers"][0])] == ["price_changed", "listing_sold"]


def test_a_sale_tells_the_watchers(listing: dict[str, Any]) -> None:
    seller, machine, (first, _) = listing["seller"], listing["machine"], listing["watchers"]
    services.machine_mark_sold(actor=seller, machine_id=machine.pk)
    drain()
    assert told(first) == [("listing_sold", f"machine:{machine.pk}:sold")]
    with override("en"):
        assert sentence(Notification.objects.get(user=first)) == "PC200-8 has been sold"


def test_an_enquiry_tells_the_seller_and_a_reply_tells_the_buyer(listing: dict[str, Any]) -> None:
    seller, machine = listing["seller"], listing["machine"]
    buyer = UserFactory.create(username="tanaka")
    enquiry = services.enquiry_send(buyer=buyer, machine_id=machine.pk, body="Is it still available?")
    drain()
    (to_seller,) = Notification.objects.filter(user=seller)
    assert to_seller.kind == "enquiry_message"
    assert to_seller.link == f"/enquiries/{enquiry.pk}/"
    with override("en"):
        assert sentence(to_seller) == "tanaka wrote about PC200-8"
    assert told(buyer) == []

    services.enquiry_reply(author=seller, enquiry_id=enquiry.pk, body="Yes, it is.")
    drain()
    (to_buyer,) = Notification.objects.filter(user=buyer)
    with override("en"):
        assert sentence(to_buyer) == f"{seller.company_name} wrote about PC200-8"
    assert Notification.objects.filter(user=seller).count() == 1
    assert told(listing["watchers"][0]) == []
