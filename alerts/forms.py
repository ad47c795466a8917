"""The preferences form: per kind, the site switch and the email choice; and the mail window."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.kinds import KINDS, Email
from alerts.preferences import Choice, MailWindow, timezone_names

EMAIL_LABELS = {
    Email.OFF: _("No email"),
    Email.IMMEDIATE: _("Email at once"),
    Email.DIGEST: _("Daily digest"),
}
HOURS = [(f"{hour:02d}:00", f"{hour:02d}:00") for hour in range(24)]


class AlertPreferencesForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Time zone"))
    digest_time = forms.ChoiceField(label=_("Daily digest at"), choices=HOURS)
    quiet_start = forms.ChoiceField(label=_("Quiet from"), required=False)
    quiet_end = forms.ChoiceField(label=_("Quiet until"), required=False)
    email_enabled = forms.BooleanField(label=_("Send me alert emails"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in timezone_names()]  # type: ignore[attr-defined]
        none = [("", _("Not set"))]
        self.fields["quiet_start"].choices = none + HOURS  # type: ignore[attr-defined]
        self.fields["quiet_end"].choices = none + HOURS  # type: ignore[attr-defined]
        for code in KINDS:
            self.fields[f"site_{code}"] = forms.BooleanField(required=False)
            self.fields[f"email_{code}"] = forms.ChoiceField(
                choices=[(choice.value, label) for choice, label in EMAIL_LABELS.items()]
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("quiet_start")) != bool(cleaned.get("quiet_end")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return cleaned

    def choices(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {code: Choice(site=data[f"site_{code}"], email=Email(data[f"email_{code}"])) for code in KINDS}

    def window(self) -> MailWindow:
        data = self.cleaned_data
        return MailWindow(
            timezone=data["timezone"],
            quiet_start=_time(data["quiet_start"]),
            quiet_end=_time(data["quiet_end"]),
            digest_time=_time(data["digest_time"]) or time(8, 0),
            email_enabled=data["email_enabled"],
        )


def _time(value: str) -> time | None:
    return time.fromisoformat(value) if value else None


def initial_for(choices: dict[str, Choice], window: MailWindow) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "timezone": window.timezone,
        "digest_time": window.digest_time.strftime("%H:00"),
        "quiet_start": window.quiet_start.strftime("%H:00") if window.quiet_start else "",
        "quiet_end": window.quiet_end.strftime("%H:00") if window.quiet_end else "",
        "email_enabled": window.email_enabled,
    }
    for code, choice in choices.items():
        initial[f"site_{code}"] = choice.site
        initial[f"email_{code}"] = choice.email.value
    return initial
