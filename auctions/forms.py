"""The seller's form to start an auction from a listing. It only gathers input into the dict
`auction_create` takes (the same as the API); the service validates every rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from auctions.models import AuctionKind


class AuctionStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(AuctionKind.SOFT_CLOSE, _("Soft close")), (AuctionKind.SUDDEN_DEATH, _("Sudden death"))],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=60 * 24, min_value=1)
    extension_seconds = forms.IntegerField(
        label=_("Extension after a late bid (seconds, soft close)"), initial=120, min_value=0, required=False
    )
    starting_price = forms.IntegerField(label=_("Starting price (minor units)"), min_value=1)
    reserve_price = forms.IntegerField(
        label=_("Reserve price (minor units, optional)"), min_value=1, required=False
    )

    def to_service_data(self, *, machine_id: int, currency: str, now: datetime) -> dict[str, Any]:
        data = self.cleaned_data
        service_data: dict[str, Any] = {
            "machine": machine_id,
            "kind": data["kind"],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(minutes=data["duration_minutes"])).isoformat(),
            "extension_seconds": data["extension_seconds"] if data["kind"] == AuctionKind.SOFT_CLOSE else 0,
            "starting_price": {"amount": data["starting_price"], "currency": currency},
        }
        if data["kind"] == AuctionKind.SOFT_CLOSE and data["extension_seconds"] is None:
            service_data.pop("extension_seconds")
        if data["reserve_price"] is not None:
            service_data["reserve_price"] = {"amount": data["reserve_price"], "currency": currency}
        return service_data
