"""The auction column of the seller's dashboard, drawn by the auctions app (the dashboard
belongs to the marketplace, which knows nothing of auctions): each listing's latest auction,
upcoming, live with its current price, or ended with its result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone

from auctions.models import Auction
from marketplace.models import Machine

register = template.Library()


@register.simple_tag
def latest_auctions(machines: Iterable[Machine]) -> dict[int, Auction]:
    """Each listing's latest auction by listing id, in one query."""
    ids = [machine.pk for machine in machines]
    auctions = (
        Auction.objects.filter(machine_id__in=ids)
        .order_by("machine_id", "-created_at", "-id")
        .distinct("machine_id")
    )
    return {auction.machine_id: auction for auction in auctions}


@register.inclusion_tag("auctions/_listing_state.html")
def listing_auction_state(auctions: dict[int, Auction], machine: Machine) -> dict[str, Any]:
    """One listing's auction state: "none", "upcoming", "live" or "ended", with the auction."""
    auction = auctions.get(machine.pk)
    if auction is None:
        state = "none"
    elif auction.closed_at is not None:
        state = "ended"
    else:
        state = "upcoming" if auction.starts_at > timezone.now() else "live"
    return {"state": state, "auction": auction, "machine": machine}
