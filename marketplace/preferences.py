"""How a page shows numbers to its viewer: unit system and display currency come from the
profile of a logged-in user, else from the session (set by the switcher), else defaults."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from marketplace.auth import viewer
from marketplace.models import Currency, UnitSystem


@dataclass(frozen=True)
class ViewerPreferences:
    unit_system: str
    currency: str


def viewer_preferences(request: HttpRequest) -> ViewerPreferences:
    user = viewer(request)
    if user is not None:
        return ViewerPreferences(user.unit_system, str(user.display_currency_id))
    unit_system = request.session.get("unit_system", UnitSystem.METRIC)
    currency = request.session.get("currency", "EUR")
    return ViewerPreferences(unit_system, currency)


def set_viewer_preferences(request: HttpRequest, *, unit_system: str | None, currency: str | None) -> None:
    user = request.user
    valid_unit = unit_system if unit_system in UnitSystem.values else None
    valid_currency = currency if currency and Currency.objects.filter(code=currency).exists() else None
    if user.is_authenticated:
        if valid_unit:
            user.unit_system = valid_unit  # type: ignore[union-attr]
        if valid_currency:
            user.display_currency_id = valid_currency  # type: ignore[union-attr]
        user.save(update_fields=["unit_system", "display_currency"])  # type: ignore[union-attr]
        return
    if valid_unit:
        request.session["unit_system"] = valid_unit
    if valid_currency:
        request.session["currency"] = valid_currency
