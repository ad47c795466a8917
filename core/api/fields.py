"""Serializer fields for request bodies that take JSON at its word, and the money shape.

DRF's own fields coerce: a CharField takes 42 as "42", an IntegerField takes "42" and 42.0, a
BooleanField takes "yes". A request body is JSON, whose types the OpenAPI document states;
what does not have the stated type is refused, so that the document and the validation say
the same thing. (Query strings are text, and keep DRF's parsing fields.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from rest_framework import serializers
from rest_framework.fields import flatten_choices_dict, to_choices_dict

from core.money import AMOUNT_PATTERN, MINOR_UNITS, Money, MoneyError, amount_pattern

# Reference rows (currencies, countries, languages) change seldom and only by staff: each
# process reads them again after this many seconds.
CHOICES_TTL_SECONDS = 60.0


# Blank is these characters alone (the same in JSON Schema's patterns and here: a regex class
# such as \s would mean different characters in the two); NUL never reaches PostgreSQL.
BLANKS = " \t\n\r\f\v"
OPTIONAL_TEXT_PATTERN = "^[^\\u0000]*$"
TEXT_PATTERN = "^[^\\u0000]*[^\\u0000 \\t\\n\\r\\f\\v][^\\u0000]*$"


def is_text(value: str, *, required: bool) -> bool:
    """No NUL, and (when required) a character that is not blank."""
    return "\x00" not in value and (not required or bool(value.strip(BLANKS)))


class StrictInput(serializers.Serializer[Any]):
    """A request body: a JSON object with no field the operation does not define (a typo is
    an error, not silently ignored). The OpenAPI document says `additionalProperties: false`."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Is not a field of this request."] for name in unknown}
                )
        return super().to_internal_value(data)


class Text(serializers.CharField):
    """A JSON string (not a number taken as one), as sent (not trimmed), without NUL
    characters: the pattern in the OpenAPI document says so unless the field has its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)  # the length the schema states is the length checked
        super().__init__(**kwargs)
        if not any(isinstance(validator, RegexValidator) for validator in self.validators):
            self.validators.append(
                RegexValidator(OPTIONAL_TEXT_PATTERN, message="Null characters are not allowed.")
            )

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class WholeNumber(serializers.IntegerField):
    """A JSON integer (not a string of digits, a float or a boolean)."""

    default_error_messages = {
        "invalid": "Must be a whole number.",
        "max_value": "Must be at most {max_value}.",
        "min_value": "Must be at least {min_value}.",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class Flag(serializers.BooleanField):
    """A JSON boolean (not "yes", 1 or "true")."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class Instant(serializers.DateTimeField):
    """An ISO 8601 date-time with its time zone (RFC 3339): a time without one is ambiguous
    across the buyers' time zones, so it is refused rather than read as UTC."""

    default_error_messages = {"naive": "Give the time zone, such as 2026-12-06T09:00:00+09:00 or …Z."}

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601 with a time zone")
        try:
            parsed = parse_datetime(value.strip()) if len(value) <= 40 else None
        except ValueError:  # the shape of a date, but not one (minute 99)
            self.fail("invalid", format="ISO 8601 with a time zone")
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


class ReferenceChoice(serializers.ChoiceField):
    """One of a set of codes read from reference rows (`load`), kept for CHOICES_TTL_SECONDS.

    The document lists `documented` codes: the released reference data the rows are loaded
    from, so the contract does not change with a database's contents or need one to be
    written (staff may add rows, which are then taken too)."""

    def __init__(
        self, load: Callable[[], Iterable[str]], *, documented: Callable[[], Iterable[str]], **kwargs: Any
    ) -> None:
        self._load = load
        self.documented = documented
        self._loaded_at = -CHOICES_TTL_SECONDS
        super().__init__(choices=[], **kwargs)

    def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at > CHOICES_TTL_SECONDS:
            self._set_choices(list(self._load()))
            self._loaded_at = time.monotonic()

    def _get_choices(self) -> Any:
        self._fresh()
        return self._choices

    def _set_choices(self, choices: Any) -> None:
        self.grouped_choices = to_choices_dict(choices)
        self._choices = flatten_choices_dict(self.grouped_choices)
        self.choice_strings_to_values = {str(key): key for key in self._choices}

    choices = property(_get_choices, _set_choices)  # type: ignore[assignment]

    def to_internal_value(self, data: Any) -> Any:
        self._fresh()
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class ReferenceChoiceExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """The documented codes as the field's enum, read without a database."""

    target_class = ReferenceChoice
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: ReferenceChoice = self.target
        documented = serializers.ChoiceField(
            choices=sorted(field.documented()), allow_blank=field.allow_blank, allow_null=field.allow_null
        )
        return build_choice_field(documented)


class MoneyOutput(serializers.Serializer[Any]):
    """An amount in the one shape every response uses (core/money.py)."""

    amount = serializers.CharField(help_text="Decimal string of major units, with the currency's digits")
    currency = serializers.CharField(help_text="ISO 4217 code")
    minor = serializers.IntegerField(help_text="The same amount in minor units (cents; yen have none)")

    def to_representation(self, instance: Money) -> dict[str, Any]:
        return instance.to_json()


class MoneyInput(StrictInput):
    """An amount in a request: `amount`, a decimal string of major units with at most the
    currency's digits after the point, and its `currency` (`minor` is for reading only). Any
    ISO 4217 currency here; a subclass may take fewer (the marketplace's own)."""

    amount = Text(
        max_length=19,
        validators=[RegexValidator(AMOUNT_PATTERN)],
        help_text='Decimal string of major units, at most the currency\'s digits after the point ("1250.00")',
    )
    currency = serializers.ChoiceField(choices=sorted(MINOR_UNITS), help_text="ISO 4217 code")

    def __init__(self, *args: Any, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positive = positive

    def validate(self, attrs: dict[str, Any]) -> Money:  # type: ignore[override]
        missing = {name: ["This field is required."] for name in ("amount", "currency") if name not in attrs}
        if missing:  # within a partial update too: an amount is whole or absent
            raise serializers.ValidationError(missing)
        try:
            money = Money.parse(attrs["amount"], attrs["currency"])
        except MoneyError as error:
            raise serializers.ValidationError({"amount": [str(error)]}) from None
        if self.positive and money.minor <= 0:
            raise serializers.ValidationError({"amount": ["Must be more than zero."]})
        return money


class MoneyInputExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """The document states what `validate` checks: one shape per number of decimal places,
    each with the currencies that have it (JPY "9000000", EUR "1250.00", KWD "1.250")."""

    target_class = MoneyInput
    match_subclasses = True

    def get_name(self, auto_schema: Any, direction: str) -> str | None:
        return None

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        serializer: MoneyInput = self.target
        by_places: dict[int, list[str]] = {}
        currency: Any = serializer.fields["currency"]
        codes = currency.documented() if isinstance(currency, ReferenceChoice) else currency.choices
        for code in sorted(str(code) for code in codes):
            if code in MINOR_UNITS:
                by_places.setdefault(MINOR_UNITS[code], []).append(code)
        shapes = []
        for places, codes in sorted(by_places.items()):
            shapes.append(
                {
                    "type": "object",
                    "required": ["amount", "currency"],
                    "additionalProperties": False,
                    "properties": {
                        "amount": {
                            "type": "string",
                            "pattern": amount_pattern(places, positive=serializer.positive),
                            "description": "Major units, as a decimal string",
                        },
                        "currency": {"type": "string", "enum": codes},
                    },
                }
            )
        return {"oneOf": shapes, "description": "An amount: major units and the ISO 4217 currency"}
