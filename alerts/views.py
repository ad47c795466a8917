"""The alerts' pages: the preferences form's target (the form is drawn on the profile page by
`{% alert_preferences %}`) and the one-click unsubscribe, which needs no login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from alerts.forms import AlertPreferencesForm
from alerts.kinds import kind as kind_named
from alerts.mail import unsubscribe_reading
from alerts.preferences import ALL_KINDS, alert_preferences_save, email_unsubscribe
from core.pages import error_page
from marketplace.auth import signed_in


@login_required
@require_POST
def preferences_save(request: HttpRequest) -> HttpResponse:
    form = AlertPreferencesForm(request.POST)
    if not form.is_valid():
        problems = [str(message) for errors in form.errors.values() for message in errors]
        messages.error(
            request,
            _("Your alert preferences were not saved: %(problems)s") % {"problems": " ".join(problems)},
        )
        return redirect("profile")
    alert_preferences_save(user_id=signed_in(request).pk, choices=form.choices(), window=form.window())
    messages.success(request, _("Your alert preferences are saved."))
    return redirect("profile")


# Exempt from CSRF: a mail client's RFC 8058 one-click POST carries no token, and the signed
# token in the URL is what proves the link came from us.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    reading = unsubscribe_reading(token)
    if reading is None:
        return error_page(
            request, 400, _("This unsubscribe link is not valid (it may be incomplete). Nothing was changed.")
        )
    user_id, kind = reading
    what = _("every alert email") if kind == ALL_KINDS else str(kind_named(kind).label)
    if request.method == "POST":
        email_unsubscribe(user_id=user_id, kind=kind)
        return render(request, "alerts/unsubscribe.html", {"done": True, "what": what})
    return render(request, "alerts/unsubscribe.html", {"done": False, "what": what, "token": token})
