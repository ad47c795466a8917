"""The alerts API's shapes (notifications, saved searches): each Input validates a request,
each Output renders a response, and both write the OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.urls import reverse
from rest_framework import serializers

from alerts.kinds import KINDS
from alerts.models import Delivery, Notification
from alerts.saved_searches import MAX_NAME, MAX_QUERY, NAME_PATTERN
from alerts.selectors import sentence
from core.api.fields import Flag, StrictInput, Text, WholeNumber

MAX_IDS = 100


class NotificationQuery(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, help_text="Only the unread ones (true), or only the read"
    )


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    sentence = serializers.SerializerMethodField(help_text="How it reads, in the request's language")
    machine_id = serializers.IntegerField(allow_null=True, help_text="The listing it is about, if one")
    link = serializers.CharField(help_text="Where it leads, a path on this site")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_sentence(self, notification: Notification) -> str:
        return sentence(notification)


class NotificationsReadInput(StrictInput):
    """`ids` or `all`: which one is a rule the document does not state (a 422 when broken)."""

    ids = serializers.ListField(
        child=WholeNumber(min_value=1),
        required=False,
        min_length=1,
        max_length=MAX_IDS,
        help_text=f"Your notifications to mark read (at most {MAX_IDS}); others' ids change nothing",
    )
    all = Flag(required=False, help_text="true: mark every one of your notifications read (instead of ids)")


class NotificationsReadOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and now are read")
    unread = serializers.IntegerField(help_text="How many of yours are still unread")


NAME = RegexValidator(NAME_PATTERN, message="Give it a name, without control characters.")


class SavedSearchInput(StrictInput):
    """A search to keep: its query string as `/api/v1/search/` takes it."""

    name = Text(max_length=MAX_NAME, validators=[NAME], help_text="What to call it")
    query = Text(
        max_length=MAX_QUERY,
        allow_blank=True,
        help_text="The query string of /api/v1/search/ (q=komatsu&maker=komatsu&year_min=2015); "
        "checked as that endpoint checks it, refused with the same error; offset, limit, cursor "
        "and facets are dropped",
    )
    delivery = serializers.ChoiceField(
        choices=Delivery.values,
        required=False,
        default=Delivery.SITE,
        help_text="site: the bell only; email: an email at once; digest: in the daily email digest",
    )


class SavedSearchChangeInput(StrictInput):
    """What to change; what is left out stays."""

    name = Text(max_length=MAX_NAME, required=False, validators=[NAME])
    delivery = serializers.ChoiceField(choices=Delivery.values, required=False)
    paused = Flag(required=False, help_text="true pauses it (no alerts), false resumes it")


class SavedSearchOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    query = serializers.CharField(help_text="Canonical: the search's parameters in name order")
    delivery = serializers.ChoiceField(choices=Delivery.values)
    paused = serializers.BooleanField()
    search_url = serializers.SerializerMethodField(help_text="The search page of this search")
    api_url = serializers.SerializerMethodField(help_text="This search on /api/v1/search/")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_search_url(self, saved: Any) -> str:
        return search_url(saved.query)

    def get_api_url(self, saved: Any) -> str:
        return f"{reverse('api-search')}?{saved.query}" if saved.query else reverse("api-search")


def search_url(query: str) -> str:
    return f"{reverse('search')}?{query}" if query else reverse("search")
