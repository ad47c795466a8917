"""Staff curate the taxonomy and every listing here. Status changes go through the same
services as the API, so the outbox hears of them; every save or delete of a catalogue row
the search index or the graph copies is announced on the outbox too (`Announced`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from core.errors import DomainError
from marketplace import services
from marketplace.models import (
    Category,
    Country,
    Currency,
    Language,
    Machine,
    MachineModel,
    MachineSpecValue,
    Maker,
    ModelSpecValue,
    OutboxEvent,
    Photo,
    SpecCategory,
    SpecDefinition,
    User,
    WatchlistEntry,
)


@admin.register(User)
class MarketplaceUserAdmin(UserAdmin):
    list_display = [
        "username",
        "email",
        "is_seller",
        "company_name",
        "country",
        "primary_language",
        "is_staff",
    ]
    list_filter = ["is_seller", "is_staff", "primary_language", "country"]
    search_fields = ["username", "email", "company_name"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Marketplace",
            {
                "fields": [
                    "is_seller",
                    "company_name",
                    "country",
                    "primary_language",
                    "unit_system",
                    "display_currency",
                ]
            },
        ),
    )


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "native_name", "position"]


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "minor_units", "rate_to_pivot_nano", "symbol"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__"]
    search_fields = ["code", "names"]


class Announced(admin.ModelAdmin):
    """A catalogue table the projections copy: saves and deletes put an outbox event for
    `outbox_entity` in the admin's own transaction, so once it commits the search index and
    the graph re-read the rows and rewrite every listing that shows them."""

    outbox_entity = ""

    def announced_ids(self, obj: Any) -> list[int]:
        return [obj.pk]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.outbox_enqueue(entity=self.outbox_entity, entity_ids=self.announced_ids(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        ids = self.announced_ids(obj)
        super().delete_model(request, obj)
        services.outbox_enqueue(entity=self.outbox_entity, entity_ids=ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():  # the bulk delete action runs outside the change view's transaction
            ids = [pk for obj in queryset for pk in self.announced_ids(obj)]
            super().delete_queryset(request, queryset)
            services.outbox_enqueue(entity=self.outbox_entity, entity_ids=ids)


@admin.register(Category)
class CategoryAdmin(Announced):
    list_display = ["path", "__str__", "depth", "position"]
    search_fields = ["slug", "path", "names"]
    list_filter = ["depth"]
    readonly_fields = ["path", "depth"]
    outbox_entity = "category"

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        parent = obj.parent
        old_path = (
            Category.objects.filter(pk=obj.pk).values_list("path", flat=True).first() if change else None
        )
        obj.path = f"{parent.path}/{obj.slug}" if parent else obj.slug
        obj.depth = parent.depth + 1 if parent else 0
        super().save_model(request, obj, form, change)
        if old_path is not None and old_path != obj.path:  # a new slug or parent: the subtree moves along
            for child in Category.objects.filter(path__startswith=f"{old_path}/").order_by("depth"):
                child.path = obj.path + child.path.removeprefix(old_path)
                child.depth = child.path.count("/")
                child.save(update_fields=["path", "depth"])


@admin.register(Maker)
class MakerAdmin(Announced):
    outbox_entity = "maker"
    list_display = ["name", "slug", "country"]
    search_fields = ["name", "slug"]
    list_filter = ["country"]


class ModelSpecValueInline(admin.TabularInline):
    model = ModelSpecValue
    extra = 0
    autocomplete_fields = ["definition"]


@admin.register(MachineModel)
class MachineModelAdmin(Announced):  # its catalogue spec values (the inline) included
    outbox_entity = "model"
    list_display = ["__str__", "maker", "category", "production_start", "production_end"]
    list_filter = ["maker", "category"]
    search_fields = ["model_number", "maker__name", "slug"]
    list_select_related = ["maker", "category"]
    autocomplete_fields = ["maker"]
    inlines = [ModelSpecValueInline]


@admin.register(SpecCategory)
class SpecCategoryAdmin(Announced):
    list_display = ["code", "__str__", "position"]
    outbox_entity = "spec"

    def announced_ids(self, obj: Any) -> list[int]:
        return list(SpecDefinition.objects.filter(spec_category=obj).values_list("pk", flat=True))


@admin.register(SpecDefinition)
class SpecDefinitionAdmin(Announced):
    outbox_entity = "spec"
    list_display = ["code", "kind", "unit", "min_value", "max_value", "spec_category", "machine_level"]
    list_filter = ["kind", "spec_category", "machine_level"]
    search_fields = ["code", "names"]


class MachineSpecValueInline(admin.TabularInline):
    model = MachineSpecValue
    extra = 0
    autocomplete_fields = ["definition"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["image", "thumbnail", "position", "width", "height"]
    readonly_fields = ["thumbnail", "width", "height"]


def _bulk(service: Any, verb: str) -> Any:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Machine]) -> None:
        done, refused = 0, []
        for machine_id in queryset.values_list("pk", flat=True):
            try:
                service(actor=request.user, machine_id=machine_id)
                done += 1
            except DomainError as error:
                refused.append(f"#{machine_id}: {error.message}")
        modeladmin.message_user(request, f"{done} listing(s) {verb}.", messages.SUCCESS)
        if refused:
            modeladmin.message_user(request, "Not changed: " + "; ".join(refused[:20]), messages.WARNING)

    action.short_description = f"Mark selected listings {verb}"  # type: ignore[attr-defined]
    action.__name__ = f"bulk_{verb}"
    return action


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "__str__",
        "status",
        "model",
        "year",
        "hours",
        "country",
        "price_amount",
        "price_currency",
        "seller",
        "published_at",
    ]
    list_filter = ["status", "condition", "country", "model__maker", "model__category", "price_currency"]
    search_fields = [
        "id",
        "serial_number",
        "model__model_number",
        "model__maker__name",
        "title",
        "seller__username",
        "seller__company_name",
    ]
    list_select_related = ["model", "model__maker", "country", "price_currency", "seller"]
    autocomplete_fields = ["model", "seller"]
    readonly_fields = ["price_pivot", "created_at", "updated_at", "published_at"]
    date_hierarchy = "created_at"
    inlines = [MachineSpecValueInline, PhotoInline]
    actions = [_bulk(services.machine_publish, "published"), _bulk(services.machine_unpublish, "unpublished")]
    list_per_page = 50
    show_full_result_count = False  # counting 100k rows on every page view is wasted work

    def save_model(self, request: HttpRequest, obj: Machine, form: Any, change: bool) -> None:
        from django.db import transaction

        from marketplace.money import to_pivot

        obj.price_pivot = to_pivot(obj.price_amount, obj.price_currency_id)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.outbox_enqueue(entity="machine", entity_ids=[obj.pk])


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "machine", "created_at"]
    raw_id_fields = ["user", "machine"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "topic",
        "entity",
        "entity_id",
        "created_at",
        "processed_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["topic", "entity", ("processed_at", admin.EmptyFieldListFilter)]
    readonly_fields = [field.name for field in OutboxEvent._meta.fields]
