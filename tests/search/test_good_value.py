"""The search page's good-value badge (issue 20): on a listing priced low for its model, year
and hours, with the reason in words; not on the others."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from marketplace import selectors
from marketplace.money import to_pivot
from search.client import get_client
from search.indices import MACHINES, alias_name
from search.sync import apply_changes
from tests.factories import MachineFactory, model_with_specs

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_badge_marks_the_bargain_for_its_age_and_explains_itself(
    machine_index: str, client: Client
) -> None:
    selectors._values.clear()  # per-process cache of a model's percentiles
    model = model_with_specs()
    # newer machines cost more: about ¥4.0M for a 2010, ¥8.0M for a 2020
    peers = [
        MachineFactory.create(
            model=model, year=year, hours=5000, price_amount=4_000_000 + (year - 2010) * 400_000
        )
        for year in range(2010, 2021)
    ]
    bargain = MachineFactory.create(model=model, year=2020, hours=5000, price_amount=6_000_000)
    for machine in (*peers, bargain):
        machine.price_pivot = to_pivot(machine.price_amount, "JPY")
        machine.save(update_fields=["price_pivot"])
    apply_changes({"machine": {m.pk for m in (*peers, bargain)}})
    get_client().indices.refresh(index=alias_name(MACHINES))

    html = client.get("/search/?sort=price&limit=20").content.decode()

    cards = dict(re.findall(r'<li class="result-card" data-machine="(\d+)">(.*?)</li>', html, re.S))
    assert len(cards) == 12
    marked = {int(pk) for pk, card in cards.items() if 'data-testid="good-value"' in card}
    assert marked == {bargain.pk}  # five older machines are cheaper, and none of them is marked
    assert (
        "under the price expected for its year and hours, and lower than 11 of the 11 other listings"
        in (cards[str(bargain.pk)])
    )
