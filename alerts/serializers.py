"""The notifications' API shapes: each Input validates a request, each Output renders a
response, and both write the OpenAPI document."""

from __future__ import annotations

from rest_framework import serializers

from alerts.kinds import KINDS
from alerts.models import Notification
from alerts.selectors import sentence
from core.api.fields import Flag, StrictInput, WholeNumber

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
