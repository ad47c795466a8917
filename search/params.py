"""Query-string parameters of the search endpoints → SearchParams, with clear 400s."""

from __future__ import annotations

import math
from typing import Any

from core.errors import DomainError
from graph.facets import SpecFilter, SpecRange, SpecValues
from search.analysis import LANGUAGE_ANALYZERS
from search.query import MAX_LIMIT, MAX_WINDOW, SORTS, SearchParams, decode_cursor

UNIT_SYSTEMS = ("metric", "imperial")
SPEC_PREFIX = "spec."


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
            return code
    return "en"


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)


def _integer(
    query: Any, name: str, errors: _Errors, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        errors.add(name, "Must be a whole number.")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        errors.add(name, f"Must be between {minimum} and {maximum}.")
        return None
    return value


def _number(raw: str, name: str, errors: _Errors) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.add(name, "Must be a number.")
        return None
    if not math.isfinite(value):
        errors.add(name, "Must be a finite number.")
        return None
    return value


def parse_spec_filters(query: Any, units: str, errors: _Errors) -> tuple[SpecFilter, ...]:
    """``spec.<code>.min`` / ``spec.<code>.max`` (numbers in the `units` system's display
    unit: t or lb, m³ or yd³, kW or hp...) and ``spec.<code>=<value>`` (repeatable, for
    enumerations) → filters in canonical SI units. Unknown codes and kinds that do not fit
    are errors; empty values are ignored (a form submits its empty inputs)."""
    from marketplace.models import SpecDefinition
    from marketplace.units import from_display

    ranges: dict[str, dict[str, float | None]] = {}
    values: dict[str, list[str]] = {}
    for name in query:
        if not name.startswith(SPEC_PREFIX):
            continue
        code, _, bound = name.removeprefix(SPEC_PREFIX).partition(".")
        if bound in ("min", "max"):
            number = _number(query.get(name, ""), name, errors)
            if number is not None:
                ranges.setdefault(code, {})[bound] = number
        elif bound:
            errors.add(name, "Use spec.<code>.min, spec.<code>.max or spec.<code>=<value>.")
        else:
            chosen = [value for value in query.getlist(name) if value]
            if chosen:
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
            errors.add(f"spec.{code}", f"Unknown value(s): {', '.join(unknown)}.")
        else:
            filters.append(SpecValues(code, tuple(chosen)))
    return tuple(filters)


def parse_search_params(
    request: Any,
    *,
    machine_ids: tuple[int, ...] | None = None,
    language: str | None = None,
    units: str | None = None,
) -> SearchParams:
    query = request.GET
    errors = _Errors()
    text = query.get("q", "")
    if len(text) > 200:
        errors.add("q", "At most 200 characters.")
    sort = query.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        errors.add("sort", f"Must be one of: {', '.join(SORTS)}.")
    limit = _integer(query, "limit", errors, minimum=1, maximum=MAX_LIMIT)
    offset = _integer(query, "offset", errors, minimum=0, maximum=MAX_WINDOW)
    limit = 20 if limit is None else limit
    offset = 0 if offset is None else offset
    if offset + limit > MAX_WINDOW:
        errors.add("offset", f"offset + limit may not pass {MAX_WINDOW}; page deeper with cursor.")
    cursor = None
    if query.get("cursor"):
        try:
            cursor = decode_cursor(query["cursor"])
        except (ValueError, TypeError):
            errors.add("cursor", "Not a cursor this API returned.")
    price_min = _integer(query, "price_min", errors, minimum=0)
    price_max = _integer(query, "price_max", errors, minimum=0)
    currency = query.get("currency", "EUR")
    pivot_min = pivot_max = None
    if price_min is not None or price_max is not None:
        from marketplace.models import Currency
        from marketplace.money import to_pivot

        if not Currency.objects.filter(code=currency).exists():
            errors.add("currency", "Unknown currency.")
        else:
            pivot_min = to_pivot(price_min, currency) if price_min is not None else None
            pivot_max = to_pivot(price_max, currency) if price_max is not None else None
    unit_system = query.get("units") or units or "metric"
    if unit_system not in UNIT_SYSTEMS:
        errors.add("units", f"Must be one of: {', '.join(UNIT_SYSTEMS)}.")
        unit_system = "metric"
    specs = parse_spec_filters(query, unit_system, errors)
    params = SearchParams(
        text=text[:200],
        language=language or resolve_language(request),
        categories=tuple(query.getlist("category")),
        makers=tuple(query.getlist("maker")),
        models=tuple(query.getlist("model")),
        countries=tuple(query.getlist("country")),
        year_min=_integer(query, "year_min", errors, minimum=1900, maximum=2100),
        year_max=_integer(query, "year_max", errors, minimum=1900, maximum=2100),
        hours_max=_integer(query, "hours_max", errors, minimum=0),
        price_min_pivot=pivot_min,
        price_max_pivot=pivot_max,
        machine_ids=machine_ids,
        specs=specs,
        units=unit_system,
        sort=sort if sort in SORTS else "relevance",
        offset=offset,
        limit=limit,
        search_after=cursor,
        facets=query.get("facets", "1") not in ("0", "false"),
    )
    if errors.fields:
        raise DomainError("The search parameters are invalid.", fields=errors.fields, code="validation_error")
    return params
