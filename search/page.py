"""What the search page draws beyond the API's answer: result cards in the buyer's currency
with their location, the selected filters as removable chips, and the switch of units or
currency that converts the numbers in the URL instead of reinterpreting them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from core.money import Money, MoneyError
from marketplace.money import convert, convert_bound, format_money
from marketplace.selectors import valuations_for
from marketplace.units import convert_bound as convert_spec_bound
from marketplace.units import display_unit, typed
from marketplace.valuation import Valuation
from search.params import SPEC_PREFIX
from search.serializers import UNIT_SYSTEMS
from search.shaping import facet_labels

FACETS = ("category", "maker", "model", "country")
LEFT_OUT = ("offset", "cursor")  # a changed filter starts from the first page


def switched(query: QueryDict, preferences: Any) -> list[tuple[str, str]]:
    """The query string after a units or currency switch: its spec ranges converted from
    `from_units` to the viewer's unit system, its price bounds from `from_currency` to the
    viewer's currency, both rounded outwards; the target units and currency written in."""
    from_units, from_currency = query.get("from_units", ""), query.get("from_currency", "")
    units = query.get("units") or preferences.unit_system
    currency = query.get("currency") or preferences.currency
    definitions = _spec_units([_code(name) for name in query if name.startswith(SPEC_PREFIX)])
    pairs: list[tuple[str, str]] = []
    for name in query:
        if name in ("units", "currency", "from_units", "from_currency", *LEFT_OUT):
            continue
        for value in query.getlist(name):
            if not value:
                continue  # an empty input of the form
            pairs.append(
                (name, _converted(name, value, definitions, from_units, units, from_currency, currency))
            )
    return [*pairs, ("units", units), ("currency", currency)]


def _converted(
    name: str,
    value: str,
    definitions: dict[str, str],
    from_units: str,
    units: str,
    from_currency: str,
    currency: str,
) -> str:
    """One parameter's value after the switch; a value that does not parse stays as typed (the
    search then says what is wrong with it)."""
    bound = name.rpartition(".")[2] if name.startswith(SPEC_PREFIX) else name.removeprefix("price_")
    if bound not in ("min", "max") or not value:
        return value
    if name.startswith(SPEC_PREFIX):
        canonical = definitions.get(_code(name))
        if canonical is None or from_units not in UNIT_SYSTEMS or units not in UNIT_SYSTEMS:
            return value
        try:
            number = float(value)
        except ValueError:
            return value
        return typed(convert_spec_bound(number, canonical, from_units, units, bound=bound))
    if name in ("price_min", "price_max") and from_currency and from_currency != currency:
        try:
            price = Money.parse(value, from_currency)
            minor = convert_bound(price.minor, from_currency, currency, bound=bound)
            return str(Money(minor, currency).major.to_integral_value())
        except (MoneyError, LookupError):
            return value
    return value


def _spec_units(codes: list[str]) -> dict[str, str]:
    from marketplace.models import SpecDefinition

    return dict(SpecDefinition.objects.filter(code__in=codes).values_list("code", "unit"))


def _code(name: str) -> str:
    return name.removeprefix(SPEC_PREFIX).removesuffix(".min").removesuffix(".max")


def result_cards(results: list[dict[str, Any]], *, currency: str, language: str) -> list[dict[str, Any]]:
    """The results as cards: the price in the buyer's currency (the seller's beside it when it
    differs) and where the machine is."""
    countries = facet_labels(language)["country"]
    values = valuations_for([item["id"] for item in results])
    cards = []
    for item in results:
        price = item["price"]
        shown = format_money(convert(int(price["minor"]), price["currency"], currency), currency)
        own = format_money(int(price["minor"]), price["currency"])
        place = countries.get(item["country"], item["country"])
        cards.append({
            **item,
            "price_shown": shown,
            "price_original": own if price["currency"] != currency else "",
            "location": f"{item['region']}, {place}" if item.get("region") else place,
            "good_value": _good_value(values.get(item["id"])),
        })  # fmt: skip
    return cards


def _good_value(value: Valuation | None) -> dict[str, int] | None:
    """The badge's figures when the listing is good value: how many of its model's other
    listings on sale are dearer for their age and hours, out of how many, and by how much it
    is under the price expected for them."""
    if value is None or not value.good:
        return None
    others = value.peers - 1
    return {
        "dearer": round((1 - value.percentile) * others),
        "peers": others,
        "under": round((1 - value.ratio) * 100),
    }


def selected_filters(query: QueryDict, *, language: str, units: str, currency: str) -> list[dict[str, Any]]:
    """Every filter the URL sets, labelled for people, with the URL that removes it."""
    labels = facet_labels(language)
    definitions = _spec_definitions([_code(name) for name in query if name.startswith(SPEC_PREFIX)])
    chips = []
    for name in query:
        for value in query.getlist(name):
            if not value:
                continue
            label = _chip_label(name, value, labels, definitions, units, currency, language)
            if label is None:
                continue
            kept = [
                (key, kept_value)
                for key in query
                for kept_value in query.getlist(key)
                if key not in LEFT_OUT and (key, kept_value) != (name, value)
            ]
            # a maker's or model's name is not the interface's to translate
            chips.append({"label": label, "url": "?" + urlencode(kept), "name": name in ("maker", "model")})
    return chips


def _chip_label(
    name: str,
    value: str,
    labels: dict[str, dict[str, str]],
    definitions: dict[str, Any],
    units: str,
    currency: str,
    language: str,
) -> str | None:
    if name in FACETS:
        return labels[name].get(value, value)
    if name == "year_min":
        return _("Year from %(year)s") % {"year": value}
    if name == "year_max":
        return _("Year up to %(year)s") % {"year": value}
    if name == "hours_max":
        return _("At most %(hours)s h") % {"hours": value}
    if name in ("price_min", "price_max"):
        try:
            price = format_money(Money.parse(value, currency).minor, currency)
        except (MoneyError, LookupError):
            price = value
        return (_("From %(price)s") if name == "price_min" else _("Up to %(price)s")) % {"price": price}
    if not name.startswith(SPEC_PREFIX):
        return None
    definition = definitions.get(_code(name))
    if definition is None:
        return None
    spec = definition.name(language)
    if name.endswith((".min", ".max")):
        symbol = display_unit(definition.unit, units).symbol
        template = (
            _("%(spec)s from %(value)s %(unit)s")
            if name.endswith(".min")
            else _("%(spec)s up to %(value)s %(unit)s")
        )
        return template % {"spec": spec, "value": value, "unit": symbol}
    choices = {choice["code"]: choice.get("names", {}) for choice in definition.choices}
    names = choices.get(value, {})
    return f"{spec}: {names.get(language) or names.get('en') or value}"


def _spec_definitions(codes: list[str]) -> dict[str, Any]:
    from marketplace.models import SpecDefinition

    return {definition.code: definition for definition in SpecDefinition.objects.filter(code__in=codes)}
