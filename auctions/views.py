"""Auction pages: the list, and the live page (state over the WebSocket)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from auctions.models import Bid
from auctions.selectors import auction_snapshot, auctions_listed


def auction_list(request: HttpRequest) -> HttpResponse:
    auctions = [(auction, auction_snapshot(auction)) for auction in auctions_listed().filter(closed_at__isnull=True)[:100]]
    return render(request, "auctions/list.html", {"auctions": auctions})


def auction_live(request: HttpRequest, auction_id: int) -> HttpResponse:
    auction = auctions_listed().filter(pk=auction_id).first()
    if auction is None:
        raise Http404
    snapshot = auction_snapshot(auction)
    bids = Bid.objects.filter(auction=auction).select_related("bidder").order_by("-seq")[:20]
    language = (get_language() or "en").split("-")[0]
    return render(request, "auctions/live.html", {
        "auction": auction, "snapshot": snapshot, "bids": bids,
        "title": auction.machine.display_title(language),
        "can_bid": request.user.is_authenticated and request.user.pk != auction.seller_id,
    })
