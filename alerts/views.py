"""The alerts' pages: the notifications page (the signed-in person's notifications newest
first, a page at a time, each read in the page's language; marking one or all read; opening
one through the page marks it read), the preferences form's target (the form is drawn on the
profile page by `{% alert_preferences %}`), the one-click unsubscribe, which needs no login,
and the saved searches page (open, rename, change how they tell, pause, resume or delete;
its forms post to it and come back to it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import selectors, services
from alerts.forms import AlertPreferencesForm
from alerts.kinds import in_language, kind
from alerts.mail import unsubscribe_reading
from alerts.models import Delivery, Notification
from alerts.preferences import ALL_KINDS, alert_preferences_save, email_unsubscribe
from alerts.saved_searches import saved_search_create, saved_search_delete, saved_search_update
from alerts.selectors import saved_searches_for
from alerts.serializers import search_url
from core.errors import DomainError
from core.pages import error_page
from marketplace.auth import signed_in
from marketplace.preferences import viewer_preferences
from search.page import selected_filters


@login_required
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    page = Paginator(selectors.listed_for(user.pk), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"notification": n, "sentence": sentence_html(n)} for n in page]
    return render(request, "alerts/notifications.html", {"page": page, "items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one (`id`) or every (`all`) notification read, then back to the page it was on."""
    user = signed_in(request)
    if request.POST.get("all"):
        services.notifications_mark_read(user_id=user.pk)
    elif (chosen := request.POST.get("id", "")).isdigit():
        services.notifications_mark_read(user_id=user.pk, ids=[int(chosen)])
    page = request.POST.get("page", "")
    return redirect(f"/notifications/?page={page}" if page.isdigit() else "/notifications/")


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read (404 for another person's)."""
    user = signed_in(request)
    notification = selectors.notification_of(user_id=user.pk, notification_id=notification_id)
    services.notifications_mark_read(user_id=user.pk, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts=None
    ) and notification.link.startswith("/")
    return HttpResponseRedirect(notification.link if safe else "/notifications/")


WRITTEN = ("title", "sender", "search")  # params that people wrote: not the interface's to translate


def sentence_html(notification: Notification) -> SafeString:
    """The sentence in the page's language, with what people wrote in it (a listing's title,
    a sender's name) marked `translate="no"`, as every page marks it."""
    params, written = dict(notification.params), {}
    for number, name in enumerate(WRITTEN):
        if name in params:
            marker = f"\x00{number}\x00"
            written[marker] = in_language(params[name])
            params[name] = marker
    html = str(escape(kind(notification.kind).sentence(params)))
    for marker, value in written.items():
        html = html.replace(marker, format_html('<span translate="no">{}</span>', value))
    return mark_safe(html)  # noqa: S308 - escaped above, the spans built by format_html


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
    user_id, code = reading
    what = _("every alert email") if code == ALL_KINDS else str(kind(code).label)
    if request.method == "POST":
        email_unsubscribe(user_id=user_id, kind=code)
        return render(request, "alerts/unsubscribe.html", {"done": True, "what": what})
    return render(request, "alerts/unsubscribe.html", {"done": False, "what": what, "token": token})


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
            "shown": _described(saved.query, request),
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


def _described(query: str, request: HttpRequest) -> dict[str, Any]:
    """A saved search as its search page reads it, in the page's language: the words the buyer
    typed, and each filter as its chip says it (names of makers, models and places marked as
    not the interface's to translate, as the search page marks them)."""
    params = QueryDict(query)
    viewer = viewer_preferences(request)
    chips = selected_filters(
        params, language=get_language(), units=viewer.unit_system, currency=viewer.currency
    )
    return {"words": params.get("q", "").strip(), "chips": chips}
