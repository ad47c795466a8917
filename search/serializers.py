"""The search API's shapes: the query string it takes (`SearchQuery`, which validates it for the
API and the search page alike, and is what the OpenAPI document shows, with a parameter per
spec filter from the spec definitions) and what it answers."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from core.api.fields import OPTIONAL_TEXT_PATTERN, MoneyOutput
from core.api.schema import AutoSchema
from core.money import AMOUNT_PATTERN
from marketplace.fields import CurrencyCode
from search.analysis import LANGUAGE_ANALYZERS
from search.query import MAX_LIMIT, MAX_WINDOW, SORTS

UNIT_SYSTEMS = ("metric", "imperial")
MAX_TEXT = 200
MAX_VALUES = 20  # values of one repeatable filter
MAX_SPEC_FILTERS = 40  # more than the catalogue has specs; past it, a 422
NO_NUL = RegexValidator(OPTIONAL_TEXT_PATTERN, message="Null characters are not allowed.")
MAX_HOURS = 500_000
SLUG = r"^[-a-zA-Z0-9_]+$"


def _values(help_text: str, *, max_length: int = 120, pattern: str = SLUG) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.RegexField(pattern, max_length=max_length),
        required=False,
        max_length=MAX_VALUES,
        help_text=f"{help_text}; repeatable, at most {MAX_VALUES}",
    )


class SearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_TEXT,
        trim_whitespace=False,
        validators=[NO_NUL],
        help_text="Words in any language",
    )
    lang = serializers.ChoiceField(
        choices=list(LANGUAGE_ANALYZERS),
        required=False,
        help_text="The buyer's language when not signed in (else the profile's, else Accept-Language)",
    )
    category = _values("Category slug (includes subcategories)")
    maker = _values("Maker slug")
    model = _values("Model slug")
    country = _values("ISO 3166-1 alpha-2 code", max_length=2, pattern=r"^[A-Z]{2}$")
    year_min = serializers.IntegerField(
        required=False, min_value=1900, max_value=2100, help_text="Earliest year"
    )
    year_max = serializers.IntegerField(
        required=False, min_value=1900, max_value=2100, help_text="Latest year"
    )
    hours_max = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_HOURS, help_text="Most hours"
    )
    price_min = serializers.RegexField(
        AMOUNT_PATTERN,
        required=False,
        max_length=19,
        help_text='Lowest price, major units of `currency` ("15000.00")',
    )
    price_max = serializers.RegexField(
        AMOUNT_PATTERN, required=False, max_length=19, help_text="Highest price, major units of `currency`"
    )
    currency = CurrencyCode(required=False, default="EUR", help_text="Of price_min and price_max")
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="relevance")
    offset = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_WINDOW, default=0, help_text="offset + limit ≤ 10000"
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=20)
    cursor = serializers.RegexField(
        r"^[A-Za-z0-9_=-]+$",
        required=False,
        max_length=400,
        help_text="next_cursor of the page before (deep paging)",
    )
    units = serializers.ChoiceField(
        choices=list(UNIT_SYSTEMS), required=False, help_text="Of spec.<code>.min/max and of the spec facets"
    )
    facets = serializers.BooleanField(
        required=False, default=True, help_text="false skips facet counts (faster)"
    )


def spec_parameters() -> list[OpenApiParameter]:
    """A query parameter per spec filter, from the spec definitions: `spec.<code>.min` and
    `.max` for numbers (in the `units` system's unit), `spec.<code>` (repeatable) for choices."""
    from marketplace.models import SpecDefinition, SpecKind

    parameters = []
    for definition in SpecDefinition.objects.order_by("code"):
        if definition.kind == SpecKind.NUMBER:
            for bound in ("min", "max"):
                parameters.append(
                    OpenApiParameter(
                        f"spec.{definition.code}.{bound}",
                        {"type": "number", "minimum": -1e12, "maximum": 1e12},
                        description=f"{'Lowest' if bound == 'min' else 'Highest'} {definition.name('en').lower()} "
                        f"(metric {definition.unit} or its imperial unit, per `units`)",
                    )
                )
        elif definition.kind == SpecKind.ENUM:
            parameters.append(
                OpenApiParameter(
                    f"spec.{definition.code}",
                    {
                        "type": "array",
                        "items": {"type": "string", "enum": definition.choice_codes},
                        "maxItems": MAX_VALUES,
                    },
                    explode=True,
                    description=f"{definition.name('en')}: any of these values",
                )
            )
    return parameters


class SearchSchema(AutoSchema):
    """The search operations' parameters: SearchQuery's, then one per spec filter."""

    def get_override_parameters(self) -> list[Any]:
        return [*super().get_override_parameters(), *spec_parameters()]


class FacetValueOutput(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named as Field's attribute
    count = serializers.IntegerField()


ENUM_FACET = {
    "type": "object",
    "required": ["label", "kind", "unit", "values"],
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string"},
        "kind": {"type": "string", "enum": ["enum"]},
        "unit": {"type": "string"},
        "values": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
    },
}
NUMBER_FACET = {
    "type": "object",
    "required": ["label", "kind", "unit", "min", "max", "buckets"],
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string"},
        "kind": {"type": "string", "enum": ["number"]},
        "unit": {"type": "string"},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "buckets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to", "count"],
                "additionalProperties": False,
                "properties": {
                    "from": {"type": "number"},
                    "to": {"type": "number"},
                    "count": {"type": "integer"},
                },
            },
        },
    },
}


@extend_schema_field(
    {
        "type": "object",
        "description": "By spec code: value counts of a choice, or the range and histogram of a number",
        "additionalProperties": {"oneOf": [ENUM_FACET, NUMBER_FACET]},
    }
)
class SpecFacetsField(serializers.DictField):
    pass


class FacetsOutput(serializers.Serializer[Any]):
    category = FacetValueOutput(many=True, required=False)
    maker = FacetValueOutput(many=True, required=False)
    model = FacetValueOutput(many=True, required=False)
    country = FacetValueOutput(many=True, required=False)


class SearchHitOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    highlight = serializers.CharField(allow_null=True, help_text="HTML: the matched words in <em>")
    maker = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    hours = serializers.IntegerField(allow_null=True)
    price = MoneyOutput()
    cover_photo = serializers.CharField(allow_null=True)
    country = serializers.CharField(help_text="Where the machine is: ISO 3166-1 alpha-2 code")
    region = serializers.CharField(
        allow_null=True, help_text="Region or city within the country, as the seller wrote it"
    )
    url = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class RelaxedOutput(serializers.Serializer[Any]):
    required_words = serializers.IntegerField(help_text="How many of the words each result matches at least")
    words = serializers.IntegerField(help_text="How many words the text has")


class SearchResultOutput(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Listings that match")
    results = SearchHitOutput(many=True)
    facets = FacetsOutput()
    suggestion = serializers.CharField(
        allow_null=True, help_text="A spelling that finds more, when few match"
    )
    relaxed = RelaxedOutput(
        allow_null=True,
        help_text=(
            "Set when no listing matched every word of q together: the results then match "
            "required_words of them (all but one, else any one); null when every word matched"
        ),
    )
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as cursor for the next page")
    language = serializers.CharField(help_text="The language the search was ranked for")


class SpecFacetsOutput(serializers.Serializer[Any]):
    specs = SpecFacetsField(
        help_text=(
            "Once the search is narrowed to a category, or has a spec filter; else empty. "
            "Disjunctive: a spec's own filter does not narrow its own facet"
        )
    )
    relaxed = RelaxedOutput(
        allow_null=True,
        help_text="As in the search's answer: the facets count over the results it shows",
    )
    language = serializers.CharField(help_text="The language of the labels")
    units = serializers.ChoiceField(choices=UNIT_SYSTEMS, help_text="The unit system of the numbers")


class SuggestQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, trim_whitespace=False, validators=[NO_NUL]
    )
    lang = serializers.ChoiceField(choices=list(LANGUAGE_ANALYZERS), required=False)


class CompletionOutput(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="What the search box completes to, in the buyer's language")
    kind = serializers.ChoiceField(
        choices=["category", "maker", "model", "query", "listing"],
        help_text="query: a maker and a category together, offered once the text names a maker in full or has a space",
    )
    key = serializers.CharField(
        allow_null=True,
        help_text="The category, maker or model slug (a filter value); null for a query or a listing",
    )
    count = serializers.IntegerField(
        allow_null=True,
        help_text="Listings it finds (a query: the maker's in the category); null for a listing",
    )
    category = serializers.CharField(
        allow_null=True, help_text="A model's or a query's category, in the buyer's language"
    )


class SuggestionsOutput(serializers.Serializer[Any]):
    suggestions = serializers.ListField(child=serializers.CharField(), help_text="The completions' texts")
    completions = CompletionOutput(many=True)
