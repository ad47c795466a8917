"""The search page's "Save this search" form, drawn by the alerts app (the search page
belongs to the search app, which knows nothing of saved searches)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings

from alerts.models import Delivery
from alerts.saved_searches import MAX_NAME, PAGE_PARAMETERS
from search.params import is_search_parameter

register = template.Library()


@register.inclusion_tag("alerts/_save_search.html", takes_context=True)
def save_search_form(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    # the page's form submits its empty inputs: a saved search keeps only what was chosen
    kept = [
        (name, value)
        for name in request.GET
        if is_search_parameter(name) and name not in PAGE_PARAMETERS
        for value in request.GET.getlist(name)
        if value
    ]
    labels = [chip["label"] for chip in context.get("chips") or []]
    name = ", ".join([request.GET.get("q", "").strip(), *labels]).strip(", ")
    return {
        "signed_in": request.user.is_authenticated,
        "query": urlencode(kept),
        "name": name[:MAX_NAME],
        "max_name": MAX_NAME,
        "deliveries": Delivery.choices,
        "login_url": f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}",
        "csrf_token": context.get("csrf_token"),
    }
