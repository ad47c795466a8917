"""Staff see the email queue here: `uncertain` rows (a sender died during the data phase; the
person may or may not have the message) and `failed` ones, and may send one again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from alerts.models import OutgoingEmail
from alerts.sender import emails_requeue


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "notification_id",
        "digest_day",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status",)
    search_fields = ("user__username", "user__email", "message_id")
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    @admin.action(description="Send again (uncertain or failed rows only; the person may get it twice)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        count = emails_requeue(ids=list(queryset.values_list("pk", flat=True)))
        messages.success(request, f"{count} email(s) queued again.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
