"""What every page's header needs: the viewer's currency and unit system, the currencies they
can choose from (the switch is on every page, so it is always reachable), and how many of
their conversations have a message they have not read."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace import selectors
from marketplace.auth import viewer
from marketplace.models import Currency
from marketplace.preferences import viewer_preferences


def viewer_switches(request: HttpRequest) -> dict[str, object]:
    # lazy: a page that does not draw the header (a fragment, an error) reads nothing
    return {
        "viewer": SimpleLazyObject(lambda: viewer_preferences(request)),
        "currency_codes": SimpleLazyObject(lambda: list(Currency.objects.values_list("code", flat=True))),
        "unread_enquiries": SimpleLazyObject(lambda: _unread_enquiries(request)),
    }


def _unread_enquiries(request: HttpRequest) -> int:
    user = viewer(request)
    return selectors.enquiry_unread_count(user) if user is not None else 0
