"""The notifications page: the signed-in person's notifications newest first, a page at a
time, each read in the page's language; marking one or all read (POST); opening one through
the page marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from alerts import selectors, services
from alerts.kinds import in_language, kind
from alerts.models import Notification
from marketplace.auth import signed_in


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
