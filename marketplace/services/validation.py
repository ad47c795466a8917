"""Input rules shared by every write path (API, pages, admin): each function returns the
clean value or records a message under the field's name; the caller raises once with all."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from core.errors import DomainError
from marketplace.models import Language, SpecDefinition, SpecKind

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_PRICE_MINOR_UNITS = 10**14


class FieldErrors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise DomainError("The request has invalid fields.", fields=self.fields, code="validation_error")


@dataclass(frozen=True)
class CleanSpec:
    definition: SpecDefinition
    value_number: float | None
    value_text: str


def clean_year(value: Any, errors: FieldErrors) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add("year", "Must be a whole number.")
        return None
    if value < 1900:
        errors.add("year", "Must be 1900 or later.")
    elif value > timezone.now().year:
        errors.add("year", "Cannot be in the future.")
    return value


def clean_hours(value: Any, errors: FieldErrors) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add("hours", "Must be a whole number.")
        return None
    if value < 0:
        errors.add("hours", "Cannot be negative.")
    elif value > 500_000:
        errors.add("hours", "Is implausibly large.")
    return value


def clean_price(value: Any, currencies: set[str], errors: FieldErrors) -> tuple[int, str] | None:
    if not isinstance(value, dict):
        errors.add("price", 'Must be an object {"amount": <minor units>, "currency": "EUR"}.')
        return None
    amount, currency = value.get("amount"), value.get("currency")
    ok = True
    if not currency:
        errors.add("price", "A price needs a currency.")
        ok = False
    elif currency not in currencies:
        errors.add("price", f"Unknown currency {currency!r}.")
        ok = False
    if not isinstance(amount, int) or isinstance(amount, bool):
        errors.add("price", "The amount must be a whole number of minor units (cents, yen).")
        ok = False
    elif not 0 < amount <= MAX_PRICE_MINOR_UNITS:
        errors.add("price", "The amount must be positive.")
        ok = False
    return (amount, currency) if ok else None


def clean_texts(
    field: str, value: Any, max_length: int, errors: FieldErrors, *, required: bool
) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or (required and not value):
        errors.add(field, 'Must be an object of texts by language, e.g. {"en": "..."}.')
        return {}
    languages = set(Language.objects.values_list("code", flat=True))
    clean: dict[str, str] = {}
    for language, text in value.items():
        if language not in languages:
            errors.add(field, f"Unknown language {language!r}.")
        elif not isinstance(text, str) or (required and not text.strip()):
            errors.add(field, f"The {language!r} text must be a non-empty string.")
        elif len(text) > max_length:
            errors.add(field, f"The {language!r} text is longer than {max_length} characters.")
        elif text.strip():
            clean[language] = text.strip()
    return clean


def clean_specs(value: Any, errors: FieldErrors) -> list[CleanSpec]:
    if value is None:
        return []
    if not isinstance(value, dict):
        errors.add("specs", 'Must be an object {"<spec code>": value}.')
        return []
    definitions = {d.code: d for d in SpecDefinition.objects.filter(code__in=list(value))}
    clean: list[CleanSpec] = []
    for code, raw in value.items():
        definition = definitions.get(code)
        field = f"specs.{code}"
        if definition is None:
            errors.add(field, f"There is no spec {code!r}.")
            continue
        if definition.kind == SpecKind.NUMBER:
            if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not math.isfinite(raw):
                errors.add(field, f"Must be a number in {definition.unit or 'its unit'}.")
                continue
            number = float(raw)
            if definition.min_value is not None and number < definition.min_value:
                errors.add(field, f"Must be at least {definition.min_value:g} {definition.unit}.".rstrip())
                continue
            if definition.max_value is not None and number > definition.max_value:
                errors.add(field, f"Must be at most {definition.max_value:g} {definition.unit}.".rstrip())
                continue
            clean.append(CleanSpec(definition, number, ""))
        elif definition.kind == SpecKind.ENUM:
            if raw not in definition.choice_codes:
                errors.add(field, f"Must be one of: {', '.join(definition.choice_codes)}.")
                continue
            clean.append(CleanSpec(definition, None, str(raw)))
        else:
            if not isinstance(raw, str) or not raw.strip() or len(raw) > 200:
                errors.add(field, "Must be a non-empty text of at most 200 characters.")
                continue
            clean.append(CleanSpec(definition, None, raw.strip()))
    return clean
