"""The alerts' part of other apps' pages: the preferences section of the profile page (the page
belongs to the marketplace, which knows nothing of alerts)."""

from __future__ import annotations

from typing import Any

from django import template

from alerts.forms import AlertPreferencesForm, initial_for
from alerts.kinds import KINDS, Audience
from alerts.preferences import choices_for, mail_window

register = template.Library()


@register.inclusion_tag("alerts/preferences.html", takes_context=True)
def alert_preferences(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    form = AlertPreferencesForm(initial=initial_for(choices_for(user.pk), mail_window(user.pk)))
    groups = [
        {
            "audience": audience,
            "rows": [
                {"kind": kind, "site": form[f"site_{code}"], "email": form[f"email_{code}"]}
                for code, kind in KINDS.items()
                if kind.audience == audience
            ],
        }
        for audience in Audience
        if audience == Audience.BUYER or getattr(user, "is_seller", False)
    ]
    return {
        "form": form,
        "groups": groups,
        "has_email": bool(user.email),
        "csrf_token": context.get("csrf_token"),
    }
