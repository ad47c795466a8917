"""The auction part of a listing's page, drawn by the auctions app: a link to its live
auction, or for its seller the form that starts one (the listing's page itself belongs to the
marketplace, which knows nothing of auctions)."""

from __future__ import annotations

from typing import Any

from django import template

from auctions.forms import AuctionStartForm
from auctions.selectors import auction_open_for_machine

register = template.Library()


@register.inclusion_tag("auctions/panel.html", takes_context=True)
def auction_panel(context: dict[str, Any], machine: Any, is_owner: bool) -> dict[str, Any]:
    return {
        "machine": machine,
        "is_owner": is_owner,
        "open_auction": auction_open_for_machine(machine.pk),
        "auction_form": AuctionStartForm() if is_owner else None,
        "csrf_token": context.get("csrf_token"),
    }
