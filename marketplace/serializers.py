"""Output shapes of the API, and request shapes for the OpenAPI document. Validation of writes
lives in marketplace/services (shared with the pages), not here."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.models import (
    Category,
    Machine,
    MachineModel,
    Maker,
    Photo,
    SpecDefinition,
    User,
    WatchlistEntry,
)
from marketplace.selectors import effective_specs


class MoneySerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units of the currency (cents, yen)")
    currency = serializers.CharField(help_text="ISO 4217 code")


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "slug", "names", "parent", "path", "depth"]


class MakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Maker
        fields = ["id", "slug", "name", "names", "country"]


class MachineModelSerializer(serializers.ModelSerializer):
    maker = MakerSerializer(read_only=True)
    category = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MachineModel
        fields = ["id", "slug", "model_number", "maker", "category", "production_start", "production_end"]


class SpecDefinitionSerializer(serializers.ModelSerializer):
    spec_category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SpecDefinition
        fields = [
            "id",
            "code",
            "names",
            "kind",
            "unit",
            "min_value",
            "max_value",
            "choices",
            "spec_category",
            "machine_level",
        ]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "thumbnail_url", "width", "height", "position"]

    def get_url(self, photo: Photo) -> str:
        return photo.image.url

    def get_thumbnail_url(self, photo: Photo) -> str:
        return photo.thumbnail.url


class MachineSerializer(serializers.ModelSerializer):
    seller = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    country = serializers.CharField(source="country_id")
    specs = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    watchers = serializers.SerializerMethodField()

    class Meta:
        model = Machine
        fields = [
            "id",
            "url",
            "status",
            "seller",
            "model",
            "year",
            "hours",
            "serial_number",
            "condition",
            "country",
            "region",
            "price",
            "title",
            "description",
            "specs",
            "photos",
            "watchers",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def get_watchers(self, machine: Machine) -> int | None:
        return getattr(machine, "watcher_count", None)

    def get_seller(self, machine: Machine) -> dict[str, Any]:
        seller: User = machine.seller
        return {"id": seller.pk, "name": str(seller), "country": seller.country_id}

    def get_model(self, machine: Machine) -> dict[str, Any]:
        model = machine.model
        return {
            "id": model.pk,
            "model_number": model.model_number,
            "maker": {"id": model.maker.pk, "name": model.maker.name},
            "category": {"id": model.category.pk, "slug": model.category.slug, "names": model.category.names},
        }

    def get_price(self, machine: Machine) -> dict[str, Any]:
        return {"amount": machine.price_amount, "currency": machine.price_currency_id}

    def get_specs(self, machine: Machine) -> list[dict[str, Any]]:
        return [
            {
                "code": spec.definition.code,
                "value": spec.value_number if spec.value_number is not None else spec.value_text,
                "unit": spec.definition.unit,
                "source": "machine" if spec.from_machine else "model",
            }
            for spec in effective_specs(machine)
        ]

    def get_url(self, machine: Machine) -> str:
        return f"/machines/{machine.pk}/"


class MachineWriteSerializer(serializers.Serializer):
    """Documents the request body; the service validates it."""

    model = serializers.IntegerField()
    year = serializers.IntegerField()
    hours = serializers.IntegerField(required=False, allow_null=True)
    serial_number = serializers.CharField(required=False)
    condition = serializers.ChoiceField(choices=["excellent", "good", "fair", "needs_repair"], required=False)
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    region = serializers.CharField(required=False)
    price = MoneySerializer()
    title = serializers.DictField(child=serializers.CharField(), help_text='{"en": "...", "ja": "..."}')
    description = serializers.DictField(child=serializers.CharField(), required=False)
    specs = serializers.DictField(
        required=False, help_text='{"operating_weight": 20500, "undercarriage": "crawler"}'
    )


class WatchlistEntrySerializer(serializers.ModelSerializer):
    machine = serializers.IntegerField(source="machine_id")
    title = serializers.SerializerMethodField()

    class Meta:
        model = WatchlistEntry
        fields = ["machine", "title", "created_at"]

    def get_title(self, entry: WatchlistEntry) -> str:
        language = self.context.get("language", "en")
        return entry.machine.display_title(language)


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True)
    email = serializers.EmailField()
    primary_language = serializers.CharField(default="en")
    is_seller = serializers.BooleanField(default=False)
    company_name = serializers.CharField(required=False)
    country = serializers.CharField(required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True)
