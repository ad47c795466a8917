"""Serializer fields of the marketplace's reference data: its currencies, countries and
languages (rows staff may change, read again every minute), and texts by language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.api.fields import BLANKS, OPTIONAL_TEXT_PATTERN, TEXT_PATTERN, MoneyInput, ReferenceChoice, is_text
from marketplace.reference import released_codes


def currency_codes() -> list[str]:
    from marketplace.models import Currency

    return list(Currency.objects.values_list("code", flat=True))


def country_codes() -> list[str]:
    from marketplace.models import Country

    return list(Country.objects.values_list("code", flat=True))


def language_codes() -> list[str]:
    from marketplace.models import Language

    return list(Language.objects.values_list("code", flat=True))


class CurrencyCode(ReferenceChoice):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 4217 code")
        super().__init__(currency_codes, documented=partial(released_codes, "currencies"), **kwargs)


class CountryCode(ReferenceChoice):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code")
        super().__init__(country_codes, documented=partial(released_codes, "countries"), **kwargs)


class LanguageCode(ReferenceChoice):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 639-1 code")
        super().__init__(language_codes, documented=partial(released_codes, "languages"), **kwargs)


class LanguageTexts(serializers.Field):
    """Texts by language, `{"en": "...", "ja": "..."}`: known languages only, each text a
    string of at most `max_length` characters (blank ones dropped), at least one when
    `allow_empty` is false."""

    default_error_messages = {
        "not_a_map": 'Must be an object of texts by language, such as {{"en": "…"}}.',
        "empty": "Give the text in at least one language.",
    }

    def __init__(self, *, max_length: int, allow_empty: bool = True, **kwargs: Any) -> None:
        self.max_length = max_length
        self.allow_empty = allow_empty
        self.languages = LanguageCode()
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if not isinstance(data, dict):
            self.fail("not_a_map")
        known = set(self.languages.choices)
        errors: dict[str, list[str]] = {}
        texts: dict[str, str] = {}
        for language, text in data.items():
            if language not in known:
                errors[str(language)] = ["Is not a language this service knows."]
            elif not isinstance(text, str) or not is_text(text, required=not self.allow_empty):
                errors[language] = [
                    "Must be a string without null characters." if self.allow_empty else "Must not be blank."
                ]
            elif len(text) > self.max_length:
                errors[language] = [f"Must be at most {self.max_length} characters."]
            elif is_text(text, required=True):
                texts[language] = text.strip(BLANKS)
        if errors:
            raise serializers.ValidationError(errors)
        if not texts and not self.allow_empty:
            self.fail("empty")
        return texts

    def to_representation(self, value: Mapping[str, str]) -> dict[str, str]:
        return dict(value)


class LanguageTextsExtension(OpenApiSerializerFieldExtension):
    target_class = LanguageTexts

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: LanguageTexts = self.target
        text = {"type": "string", "maxLength": field.max_length, "pattern": OPTIONAL_TEXT_PATTERN}
        if direction == "response":
            return {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "example": {"en": "Komatsu PC200-8"},
            }
        schema: dict[str, Any] = {
            "type": "object",
            "properties": dict.fromkeys(field.languages.documented(), text),
            "additionalProperties": False,
        }
        if not field.allow_empty:
            schema["minProperties"] = 1
            # a blank text is dropped, so at least one must have a letter in it
            schema["properties"] = {
                language: {**text, "pattern": TEXT_PATTERN} for language in field.languages.documented()
            }
        return schema


class ListingMoney(MoneyInput):
    """An amount in one of the marketplace's currencies."""

    currency = CurrencyCode()
