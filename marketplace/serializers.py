"""The catalogue API's shapes: an Input serializer per request body, which validates it (the
pages feed their forms through the same ones) and is what the OpenAPI document shows, and an
Output serializer per response. Inputs check shape, types, bounds and choices; the services
check what only the database knows (does the model exist, may this user change this listing)."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import BLANKS, TEXT_PATTERN, Flag, MoneyOutput, StrictInput, Text, WholeNumber, is_text
from marketplace.fields import CountryCode, LanguageCode, LanguageTexts, ListingMoney
from marketplace.models import (
    Condition,
    Enquiry,
    EnquiryMessage,
    Machine,
    MachineStatus,
    SpecDefinition,
    SpecKind,
)
from marketplace.models.enquiries import MAX_BODY_LENGTH
from marketplace.selectors import EffectiveSpec, effective_specs

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_HOURS = 500_000
MAX_SPEC_TEXT = 200
MAX_ID = 2**63 - 1

NUMBER_OR_TEXT = {"oneOf": [{"type": "number"}, {"type": "string"}]}


# ------------------------------------------------------------------ reference data


class CategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    names = LanguageTexts(max_length=200)
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]  # a field named as Field's attribute
    path = serializers.CharField()
    depth = serializers.IntegerField()


class MakerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    names = LanguageTexts(max_length=200)
    country = serializers.CharField(allow_blank=True, allow_null=True)


class MakerBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ModelOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    model_number = serializers.CharField()
    maker = MakerOutput()
    category = serializers.IntegerField(source="category_id")
    production_start = serializers.IntegerField(allow_null=True)
    production_end = serializers.IntegerField(allow_null=True)


class ModelQuery(serializers.Serializer):
    maker = serializers.SlugField(
        required=False, max_length=100, help_text="Only this maker's models (its slug)"
    )


class SpecChoiceOutput(serializers.Serializer):
    code = serializers.CharField()
    names = LanguageTexts(max_length=200)


class SpecDefinitionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    names = LanguageTexts(max_length=200)
    kind = serializers.ChoiceField(choices=SpecKind.choices)
    unit = serializers.CharField(allow_blank=True, help_text="Canonical SI unit of numbers (kg, m3, kW, m…)")
    min_value = serializers.FloatField(allow_null=True)
    max_value = serializers.FloatField(allow_null=True)
    choices = SpecChoiceOutput(many=True)
    spec_category = serializers.CharField(source="spec_category.code")
    machine_level = serializers.BooleanField()


# ------------------------------------------------------------------ listings


class SellerBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    country = serializers.CharField(source="country_id", allow_null=True)


class CategoryBrief(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    names = LanguageTexts(max_length=200)


class ModelBrief(serializers.Serializer):
    id = serializers.IntegerField()
    model_number = serializers.CharField()
    maker = MakerBrief()
    category = CategoryBrief()


@extend_schema_field(NUMBER_OR_TEXT)
class NumberOrText(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class SpecValueOutput(serializers.Serializer):
    """Documents a spec value; `spec_value` writes it (one serializer per spec of every listing
    on a page would be thousands of objects a request, all garbage afterwards)."""

    code = serializers.CharField()
    value = NumberOrText()
    unit = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named as Field's attribute
        choices=["machine", "model"], help_text="The seller's own value, or the model's catalogue value"
    )


def spec_value(spec: EffectiveSpec) -> dict[str, Any]:
    return {
        "code": spec.definition.code,
        "value": spec.value_number if spec.value_number is not None else spec.value_text,
        "unit": spec.definition.unit,
        "source": "machine" if spec.from_machine else "model",
    }


class PhotoOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(source="image.url")
    thumbnail_url = serializers.CharField(source="thumbnail.url")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    position = serializers.IntegerField()


class MachineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The listing's page")
    status = serializers.ChoiceField(choices=MachineStatus.choices)
    seller = SellerBrief()
    model = ModelBrief()
    year = serializers.IntegerField()
    hours = serializers.IntegerField(allow_null=True)
    serial_number = serializers.CharField(allow_blank=True)
    condition = serializers.ChoiceField(choices=Condition.choices)
    country = serializers.CharField(source="country_id")
    region = serializers.CharField(allow_blank=True)
    price = MoneyOutput()
    title = LanguageTexts(max_length=MAX_TITLE_LENGTH)
    description = LanguageTexts(max_length=MAX_DESCRIPTION_LENGTH)
    specs = serializers.SerializerMethodField()
    photos = PhotoOutput(many=True, source="photos.all")
    watchers = serializers.IntegerField(
        source="watcher_count", allow_null=True, default=None, help_text="On a single listing only"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, machine: Machine) -> str:
        return reverse("machine-detail", args=[machine.pk])

    @extend_schema_field(SpecValueOutput(many=True))
    def get_specs(self, machine: Machine) -> list[dict[str, Any]]:
        return [spec_value(spec) for spec in effective_specs(machine)]


class SpecValues(serializers.Field):
    """A listing's own spec values, `{"operating_weight": 20500, "undercarriage": "crawler"}`:
    numbers in the spec's canonical unit within its range, enumerations one of their codes,
    texts of at most 200 characters. Validates to `{code: float | str}`."""

    default_error_messages = {
        "not_a_map": 'Must be an object of spec values by code, such as {{"operating_weight": 20500}}.'
    }

    def to_internal_value(self, data: Any) -> dict[str, float | str]:
        if not isinstance(data, dict):
            self.fail("not_a_map")
        definitions = {
            d.code: d for d in SpecDefinition.objects.filter(code__in=[str(code) for code in data])
        }
        errors: dict[str, list[str]] = {}
        clean: dict[str, float | str] = {}
        for code, raw in data.items():
            definition = definitions.get(code)
            problem = "There is no such spec." if definition is None else _spec_problem(definition, raw)
            if problem:
                errors[str(code)] = [problem]
            elif definition is not None:
                clean[code] = float(raw) if definition.kind == SpecKind.NUMBER else str(raw).strip(BLANKS)
        if errors:
            raise serializers.ValidationError(errors)
        return clean

    def to_representation(self, value: Any) -> Any:
        return value


def _spec_problem(definition: SpecDefinition, raw: Any) -> str | None:
    if definition.kind == SpecKind.NUMBER:
        if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not math.isfinite(raw):
            return f"Must be a number in {definition.unit or 'its unit'}."
        if definition.min_value is not None and raw < definition.min_value:
            return f"Must be at least {definition.min_value:g} {definition.unit}.".rstrip()
        if definition.max_value is not None and raw > definition.max_value:
            return f"Must be at most {definition.max_value:g} {definition.unit}.".rstrip()
        return None
    if definition.kind == SpecKind.ENUM:
        return (
            None
            if raw in definition.choice_codes
            else f"Must be one of: {', '.join(definition.choice_codes)}."
        )
    if not isinstance(raw, str) or not is_text(raw, required=True) or len(raw) > MAX_SPEC_TEXT:
        return f"Must be a non-empty text of at most {MAX_SPEC_TEXT} characters."
    return None


class SpecValuesExtension(OpenApiSerializerFieldExtension):
    """The spec values' schema names every spec with its own type and bounds, from the same
    definitions the field validates against."""

    target_class = SpecValues

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for definition in SpecDefinition.objects.order_by("code"):
            if definition.kind == SpecKind.NUMBER:
                schema: dict[str, Any] = {"type": "number", "description": f"In {definition.unit}"}
                if definition.min_value is not None:
                    schema["minimum"] = definition.min_value
                if definition.max_value is not None:
                    schema["maximum"] = definition.max_value
            elif definition.kind == SpecKind.ENUM:
                schema = {"type": "string", "enum": definition.choice_codes}
            else:
                schema = {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_SPEC_TEXT,
                    "pattern": TEXT_PATTERN,
                }
            properties[definition.code] = schema
        return {"type": "object", "properties": properties, "additionalProperties": False}


def _current_year() -> int:
    return timezone.now().year


class MachineInput(StrictInput):
    """A listing as its seller writes it; on PATCH every field is optional."""

    model = WholeNumber(min_value=1, max_value=MAX_ID, help_text="The model's id (GET /api/v1/models/)")
    year = WholeNumber(min_value=1900, help_text="Year of manufacture; not in the future")
    hours = WholeNumber(
        min_value=0,
        max_value=MAX_HOURS,
        allow_null=True,
        required=False,
        error_messages={"min_value": "Cannot be negative.", "max_value": "Is implausibly large."},
    )
    serial_number = Text(max_length=80, allow_blank=True, required=False)
    condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    country = CountryCode()
    region = Text(max_length=120, allow_blank=True, required=False)
    price = ListingMoney(positive=True)
    title = LanguageTexts(max_length=MAX_TITLE_LENGTH, allow_empty=False)
    description = LanguageTexts(max_length=MAX_DESCRIPTION_LENGTH, required=False)
    specs = SpecValues(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # the current year is the upper bound, in the schema as in the check
        fields["year"] = WholeNumber(
            min_value=1900,
            max_value=_current_year(),
            error_messages={"max_value": "Cannot be in the future."},
            help_text="Year of manufacture; not in the future",
        )
        return fields


def listing_fields(validated: dict[str, Any]) -> dict[str, Any]:
    """A validated MachineInput as the listing services' keyword arguments."""
    fields = dict(validated)
    if "model" in fields:
        fields["model_id"] = fields.pop("model")
    return fields


class WatchInput(StrictInput):
    """The listing to watch."""

    machine = WholeNumber(min_value=1, max_value=MAX_ID, help_text="The listing's id")


class WatchlistEntryOutput(serializers.Serializer):
    machine = serializers.IntegerField(source="machine_id")
    title = serializers.SerializerMethodField()
    price = MoneyOutput(source="machine.price")
    status = serializers.CharField(source="machine.status")
    created_at = serializers.DateTimeField()

    def get_title(self, entry: Any) -> str:
        return str(entry.machine.display_title(self.context.get("language", "en")))


class PhotoInput(StrictInput):
    """A photo of a listing, as multipart form data."""

    image = serializers.FileField(
        allow_empty_file=True,
        help_text="A JPEG, PNG or WebP image; checked by its content (422 if it is not one)",
    )


# ------------------------------------------------------------------ accounts

PASSWORD_MIN_LENGTH = MinimumLengthValidator().min_length


class TokenInput(StrictInput):
    """A username and its password."""

    username = Text(max_length=150)
    password = Text(max_length=128, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>"')


class RegisterInput(StrictInput):
    """A new account: a buyer's, or with `is_seller` a seller's (who needs a company and a country)."""

    username = Text(
        max_length=150,
        validators=[RegexValidator(r"^[A-Za-z0-9_.@+-]+$")],
        help_text="Latin letters, digits and @/./+/-/_ only",
    )
    password = Text(min_length=PASSWORD_MIN_LENGTH, max_length=128, trim_whitespace=False)
    email = serializers.EmailField(max_length=254)
    primary_language = LanguageCode(required=False, default="en")
    is_seller = Flag(required=False, default=False)
    company_name = Text(max_length=200, required=False, allow_blank=True, help_text="Required for sellers")
    country = CountryCode(required=False, help_text="Required for sellers (ISO 3166-1 alpha-2)")


class RegisteredOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    token = serializers.CharField()


# ------------------------------------------------------------------ enquiries


class EnquiryInput(StrictInput):
    """A buyer's message about a listing: it starts their conversation with the seller, or adds
    to the one they have about it."""

    machine = WholeNumber(min_value=1, max_value=MAX_ID, help_text="The listing's id")
    body = Text(
        max_length=MAX_BODY_LENGTH,
        validators=[RegexValidator(TEXT_PATTERN, message="Write a message.")],
        help_text="The message; not blank (the blanks around it are not kept)",
    )


class EnquiryMessageInput(StrictInput):
    """A message in a conversation."""

    body = Text(
        max_length=MAX_BODY_LENGTH,
        validators=[RegexValidator(TEXT_PATTERN, message="Write a message.")],
        help_text="The message; not blank (the blanks around it are not kept)",
    )


class PartyBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__", help_text="The company's name, or the username")


class EnquiryListingBrief(serializers.Serializer):
    id = serializers.IntegerField()
    title = LanguageTexts(max_length=MAX_TITLE_LENGTH)
    url = serializers.SerializerMethodField(help_text="The listing's page")

    def get_url(self, machine: Machine) -> str:
        return reverse("machine-detail", args=[machine.pk])


class EnquiryMessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = PartyBrief()
    role = serializers.SerializerMethodField(help_text="The author's side: buyer, seller, or staff")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=["buyer", "seller", "staff"]))
    def get_role(self, message: EnquiryMessage) -> str:
        return enquiry_role(message.enquiry, message.author_id)


class EnquiryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The conversation's page")
    machine = EnquiryListingBrief()
    buyer = PartyBrief()
    seller = PartyBrief()
    created_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField()
    message_count = serializers.IntegerField()
    unread = serializers.SerializerMethodField(help_text="Messages you have not read")

    def get_url(self, enquiry: Enquiry) -> str:
        return reverse("enquiry-detail", args=[enquiry.pk])

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_unread(self, enquiry: Enquiry) -> int:
        return enquiry.unread_for(self.context["viewer_id"])


class EnquiryDetailOutput(EnquiryOutput):
    messages = EnquiryMessageOutput(many=True, source="messages.all", help_text="Oldest first")


def enquiry_role(enquiry: Enquiry, user_id: int) -> str:
    if user_id == enquiry.buyer_id:
        return "buyer"
    return "seller" if user_id == enquiry.seller_id else "staff"
