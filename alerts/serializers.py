"""The alerts API's shapes: an Input serializer per request body (validates and documents) and
an Output per response."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.urls import reverse
from rest_framework import serializers

from alerts.models import Delivery
from alerts.saved_searches import MAX_NAME, MAX_QUERY, NAME_PATTERN
from core.api.fields import Flag, StrictInput, Text

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
