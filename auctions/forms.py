"""The seller's form to start an auction from a listing. It gathers input into the API's
request shape; `AuctionInput` validates it and `auction_create` applies the rules, for the
page as for the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from auctions.models import AuctionKind
from core.money import typed_amount


class AuctionStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(AuctionKind.SOFT_CLOSE, _("Soft close")), (AuctionKind.SUDDEN_DEATH, _("Sudden death"))],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=60 * 24, min_value=1)
    extension_seconds = forms.IntegerField(
        label=_("Extension after a late bid (seconds, soft close)"),
        initial=120,
        min_value=0,
        required=False,
    )
    starting_price = forms.CharField(label=_("Starting price"), max_length=24)
    reserve_price = forms.CharField(label=_("Reserve price (optional)"), max_length=24, required=False)

    def clean_duration_minutes(self) -> int:
        minutes = int(self.cleaned_data["duration_minutes"])
        if minutes > 30 * 24 * 60:
            raise forms.ValidationError(_("An auction lasts at most 30 days."))
        return minutes

    def to_request(self, *, machine_id: int, currency: str, now: datetime) -> dict[str, Any]:
        """The API's AuctionInput body for these answers."""
        data = self.cleaned_data
        request: dict[str, Any] = {
            "machine": machine_id,
            "kind": data["kind"],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(minutes=data["duration_minutes"])).isoformat(),
            "starting_price": {"amount": typed_amount(data["starting_price"]), "currency": currency},
        }
        if data["kind"] == AuctionKind.SUDDEN_DEATH:
            request["extension_seconds"] = 0
        elif data["extension_seconds"] is not None:
            request["extension_seconds"] = data["extension_seconds"]
        if data["reserve_price"]:
            request["reserve_price"] = {"amount": typed_amount(data["reserve_price"]), "currency": currency}
        return request
