"""Query-string parameters of the search endpoints → SearchParams, with clear 400s: the
parameters SearchQuery declares (search/serializers.py), then the spec filters, checked
against the spec definitions."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from rest_framework.fields import ListField

from core.api.errors import flat_errors
from core.errors import DomainError, UnprocessableError
from core.money import Money, MoneyError
from graph.facets import SpecFilter, SpecRange, SpecValues
from search.analysis import LANGUAGE_ANALYZERS
from search.query import MAX_WINDOW, SearchParams, decode_cursor
from search.serializers import MAX_SPEC_FILTERS, MAX_VALUES, SearchQuery

SPEC_PREFIX = "spec."
MAX_SPEC_CODE = 60


def resolve_language(request: Any) -> str:
    """The buyer's language: the profile's, else ?lang=, else Accept-Language, else English."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.primary_language_id in LANGUAGE_ANALYZERS:
        return str(user.primary_language_id)
    requested = request.GET.get("lang", "")
    if requested in LANGUAGE_ANALYZERS:
        return str(requested)
    accepted = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for part in accepted.split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in LANGUAGE_ANALYZERS:
            return str(code)
    return "en"


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)


MAX_SPEC_NUMBER = 1e12


def _number(raw: str, name: str, errors: _Errors) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw) if len(raw) <= 40 else math.nan
    except ValueError:
        errors.add(name, "Must be a number.")
        return None
    if not math.isfinite(value) or abs(value) > MAX_SPEC_NUMBER:
        errors.add(name, f"Must be a number between {-MAX_SPEC_NUMBER:g} and {MAX_SPEC_NUMBER:g}.")
        return None
    return value


def parse_spec_filters(
    query: Any, units: str, errors: _Errors, *, form: bool = False
) -> tuple[SpecFilter, ...]:
    """``spec.<code>.min`` / ``spec.<code>.max`` (numbers in the `units` system's display
    unit: t or lb, m³ or yd³, kW or hp...) and ``spec.<code>=<value>`` (repeatable, for
    enumerations) → filters in canonical SI units. Unknown codes and kinds that do not fit
    are errors; with `form`, empty values are ignored (a form submits its empty inputs)."""
    from marketplace.models import SpecDefinition
    from marketplace.units import from_display

    ranges: dict[str, dict[str, float | None]] = {}
    values: dict[str, list[str]] = {}
    codes = {
        name.removeprefix(SPEC_PREFIX).partition(".")[0] for name in query if name.startswith(SPEC_PREFIX)
    }
    if len(codes) > MAX_SPEC_FILTERS:  # each parameter is declared; their number is the rule
        raise UnprocessableError(
            "The search cannot run as asked.",
            fields={"spec": [f"At most {MAX_SPEC_FILTERS} spec filters."]},
            code="unprocessable",
        )
    for name in query:
        if not name.startswith(SPEC_PREFIX):
            continue
        code, _, bound = name.removeprefix(SPEC_PREFIX).partition(".")
        if not code or len(code) > MAX_SPEC_CODE:
            errors.add(name, "Not a spec code.")
        elif bound in ("min", "max"):
            given = query.getlist(name)
            if len(given) > 1:
                errors.add(name, "Give this parameter once.")
                continue
            if given[0] == "" and not form:
                errors.add(name, "Must be a number.")
                continue
            number = _number(given[0], name, errors)
            if number is not None:
                ranges.setdefault(code, {})[bound] = number
        elif bound:
            errors.add(name, "Use spec.<code>.min, spec.<code>.max or spec.<code>=<value>.")
        else:
            chosen = [value for value in query.getlist(name) if value or not form]
            if len(chosen) > MAX_VALUES:
                errors.add(name, f"At most {MAX_VALUES} values.")
            elif chosen:
                values[code] = chosen
    if not ranges and not values:
        return ()
    definitions = {d.code: d for d in SpecDefinition.objects.filter(code__in=[*ranges, *values])}
    filters: list[SpecFilter] = []
    for code, bounds in sorted(ranges.items()):
        definition = definitions.get(code)
        if definition is None or definition.kind != "number":
            errors.add(f"spec.{code}", f"There is no number spec {code!r}.")
            continue
        # 3.3 t / 0.001 is 3299.9999999999995 kg in binary floating point, which would leave out
        # the 3,300 kg machines the buyer asked for: twelve significant digits drop that noise.
        low, high = (
            float(f"{from_display(b, definition.unit, units):.12g}") if b is not None else None
            for b in (bounds.get("min"), bounds.get("max"))
        )
        filters.append(SpecRange(code, low, high))
    for code, chosen in sorted(values.items()):
        definition = definitions.get(code)
        if definition is None or definition.kind != "enum":
            errors.add(f"spec.{code}", f"There is no enumeration spec {code!r}.")
        elif unknown := sorted(set(chosen) - set(definition.choice_codes)):
            errors.add(f"spec.{code}", f"Unknown value(s): {', '.join(value[:40] for value in unknown[:5])}.")
        else:
            filters.append(SpecValues(code, tuple(chosen)))
    return tuple(filters)


@cache
def _list_parameters() -> dict[str, bool]:
    """SearchQuery's parameters, and whether each is a list (read once: a serializer's fields
    are deep-copied on every instance)."""
    return {name: isinstance(field, ListField) for name, field in SearchQuery().fields.items()}


def is_search_parameter(name: str) -> bool:
    """Whether a search reads this query-string parameter (others are ignored)."""
    return name in _list_parameters() or name.startswith(SPEC_PREFIX)


def parse_search_params(
    request: Any,
    *,
    machine_ids: tuple[int, ...] | None = None,
    language: str | None = None,
    units: str | None = None,
    form: bool = False,
) -> SearchParams:
    """The query string, validated by SearchQuery (and the spec filters by their definitions),
    as the parameters of a search; a DomainError naming every bad parameter otherwise. With
    `form` (the search page's GET form, which submits its empty inputs) an empty value is as if
    it were not given; the API refuses it like any other value its parameter does not take."""
    query = request.GET
    errors = _Errors()
    data: dict[str, Any] = {}
    lists = _list_parameters()
    for name, values in query.lists():
        if name not in lists:
            continue
        if lists[name]:
            data[name] = [value for value in values if value or not form]
        elif len(values) > 1:
            errors.add(name, "Give this parameter once.")
        elif values[0] != "" or not form:
            data[name] = values[0]
    checked = SearchQuery(data=data)
    if not checked.is_valid():
        for name, messages in flat_errors(checked.errors).items():
            for message in messages:
                errors.add(name, message)
    valid = checked.validated_data if not errors.fields else {}
    # Rules between parameters, or about values that only this service can read (a cursor it
    # issued, a currency's decimal places): well formed but refused, a 422.
    refused = _Errors()
    offset, limit = valid.get("offset", 0), valid.get("limit", 20)
    if offset + limit > MAX_WINDOW:
        refused.add("offset", f"offset + limit may not pass {MAX_WINDOW}; page deeper with cursor.")
    sort = valid.get("sort", "relevance")
    cursor = None
    if valid.get("cursor"):
        try:
            cursor = decode_cursor(valid["cursor"], sort)
        except (ValueError, TypeError):
            refused.add("cursor", "Not a cursor this API returned for this sort.")
    pivot_min = pivot_max = None
    if not errors.fields and ("price_min" in valid or "price_max" in valid):
        from marketplace.money import to_pivot

        currency = valid["currency"]
        for name in ("price_min", "price_max"):
            if name not in valid:
                continue
            try:
                pivot = to_pivot(Money.parse(valid[name], currency).minor, currency)
            except MoneyError as error:
                refused.add(name, str(error))
                continue
            if name == "price_min":
                pivot_min = pivot
            else:
                pivot_max = pivot
    unit_system = valid.get("units") or units or "metric"
    specs = parse_spec_filters(query, unit_system, errors, form=form)
    if errors.fields:
        raise DomainError("The search parameters are invalid.", fields=errors.fields, code="validation_error")
    if refused.fields:
        raise UnprocessableError(
            "The search cannot run as asked.", fields=refused.fields, code="unprocessable"
        )
    return SearchParams(
        text=valid.get("q", ""),
        language=language or resolve_language(request),
        categories=tuple(valid.get("category", ())),
        makers=tuple(valid.get("maker", ())),
        models=tuple(valid.get("model", ())),
        countries=tuple(valid.get("country", ())),
        year_min=valid.get("year_min"),
        year_max=valid.get("year_max"),
        hours_max=valid.get("hours_max"),
        price_min=pivot_min,
        price_max=pivot_max,
        machine_ids=machine_ids,
        specs=specs,
        units=unit_system,
        sort=sort,
        offset=offset,
        limit=limit,
        search_after=cursor,
        facets=valid.get("facets", True),
    )
