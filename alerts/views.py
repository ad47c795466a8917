"""The saved searches page: a buyer's saved searches, to open, rename, change how they tell,
pause, resume or delete. Forms post to it and come back to it (Post/Redirect/Get)."""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alerts.models import Delivery
from alerts.saved_searches import saved_search_create, saved_search_delete, saved_search_update
from alerts.selectors import saved_searches_for
from alerts.serializers import search_url
from core.errors import DomainError
from marketplace.auth import signed_in


@login_required
@require_http_methods(["GET", "POST"])
def saved_searches_page(request: HttpRequest) -> HttpResponse:
    status, error = 200, None
    if request.method == "POST":
        try:
            saved_search_create(
                user=signed_in(request),
                name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
                delivery=request.POST.get("delivery", Delivery.SITE),
            )
        except DomainError as refused:
            status, error = refused.status_code, _refusal(refused)
        else:
            messages.success(request, _("Search saved: we will tell you of new machines it finds."))
            return HttpResponseRedirect(reverse("saved-searches"))
    searches = [
        {
            "saved": saved,
            "url": search_url(saved.query),
            "shown": unquote_plus(saved.query).replace("&", " & "),
        }
        for saved in saved_searches_for(signed_in(request).pk)
    ]
    context = {"searches": searches, "error": error, "deliveries": Delivery.choices}
    return render(request, "alerts/saved_searches.html", context, status=status)


@login_required
@require_POST
def saved_search_change(request: HttpRequest, saved_search_id: int) -> HttpResponse:
    """One form's change: `action` rename (`name`), delivery (`delivery`), pause, resume or delete."""
    user, action = signed_in(request), request.POST.get("action", "")
    try:
        if action == "delete":
            saved_search_delete(user=user, saved_search_id=saved_search_id)
        elif action in ("pause", "resume"):
            saved_search_update(user=user, saved_search_id=saved_search_id, paused=action == "pause")
        elif action == "rename":
            saved_search_update(user=user, saved_search_id=saved_search_id, name=request.POST.get("name", ""))
        elif action == "delivery":
            saved_search_update(
                user=user, saved_search_id=saved_search_id, delivery=request.POST.get("delivery", "")
            )
        else:
            raise DomainError(_("Unknown change."), fields={"action": [_("Unknown change.")]})
    except DomainError as refused:
        if refused.status_code == 404:
            raise
        messages.error(request, _refusal(refused))
    return HttpResponseRedirect(reverse("saved-searches"))


def _refusal(error: DomainError) -> str:
    """The error's message, and what each field's says (a search's bad parameter by name)."""
    details = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.fields.items())
    return f"{_(error.message)} {details}".strip()  # the catalogue has the services' messages
