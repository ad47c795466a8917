"""What every page's header needs: the viewer's currency and unit system, and the currencies
they can choose from (the switch is on every page, so it is always reachable)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace.models import Currency
from marketplace.preferences import viewer_preferences


def viewer_switches(request: HttpRequest) -> dict[str, object]:
    # lazy: a page that does not draw the header (a fragment, an error) reads nothing
    return {
        "viewer": SimpleLazyObject(lambda: viewer_preferences(request)),
        "currency_codes": SimpleLazyObject(lambda: list(Currency.objects.values_list("code", flat=True))),
    }
