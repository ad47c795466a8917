"""Auction pages: the index, the live page (state over the WebSocket), and the seller's form on
their listing page that starts an auction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auctions.forms import AuctionStartForm
from auctions.selectors import auction_live_page, auctions_index, auctions_listed
from auctions.serializers import AuctionInput
from auctions.services import auction_create
from core.api.errors import flat_errors
from core.errors import DomainError
from marketplace.auth import signed_in
from marketplace.models import Machine
from marketplace.preferences import viewer_preferences


def auction_list(request: HttpRequest) -> HttpResponse:
    return render(request, "auctions/list.html", {"index": auctions_index()})


def auction_live(request: HttpRequest, auction_id: int) -> HttpResponse:
    auction = auctions_listed().filter(pk=auction_id).first()
    if auction is None:
        raise Http404
    viewer_id = request.user.pk if request.user.is_authenticated else None
    display_currency = viewer_preferences(request).currency
    context = auction_live_page(auction, viewer_id, display_currency)
    return render(
        request,
        "auctions/live.html",
        {
            **context,
            "display_currency": display_currency if context["script_data"]["display"] else None,
            "auction": auction,
            "machine": auction.machine,
            "can_bid": viewer_id not in (None, auction.seller_id),
        },
    )


@login_required
@require_POST
def auction_start(request: HttpRequest, machine_id: int) -> HttpResponse:
    """The seller's form on their listing page: read through the API's AuctionInput, then the
    service checks ownership and every term."""
    form = AuctionStartForm(request.POST)
    machine = Machine.objects.filter(pk=machine_id).only("pk", "price_currency_id").first()
    if machine is None:
        raise Http404
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}")
        return redirect("machine-detail", machine_id=machine_id)
    terms = AuctionInput(
        data=form.to_request(machine_id=machine.pk, currency=machine.price_currency_id, now=timezone.now())
    )
    try:
        if not terms.is_valid():
            raise DomainError(_("The auction's terms are not valid."), fields=flat_errors(terms.errors))
        data = dict(terms.validated_data)
        auction = auction_create(seller=signed_in(request), machine_id=data.pop("machine"), **data)  # type: ignore[arg-type]
    except DomainError as error:
        reasons = [message for messages_ in (error.fields or {}).values() for message in messages_]
        messages.error(request, " ".join([error.message, *reasons]))
        return redirect("machine-detail", machine_id=machine_id)
    return redirect("auction-live", auction_id=auction.pk)
