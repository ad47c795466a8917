"""Page forms. They gather input into the API's request shapes; the API's Input serializers
validate them and the services apply the rules, so the pages and the API share every rule."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from core.money import Money, MoneyError, typed_amount
from marketplace.models import Condition, Country, Currency, Language, MachineModel, SpecDefinition, SpecKind
from marketplace.units import display_unit, from_display

LISTING_LANGUAGES = ("en", "ja", "zh")
DJANGO_LANGUAGE = {"zh": "zh-hans"}  # Django names its languages by script


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    primary_language = forms.ChoiceField(label=_("Language"))
    is_seller = forms.BooleanField(label=_("I want to sell machines"), required=False)
    company_name = forms.CharField(label=_("Company name"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["primary_language"]).choices = [
            (language.code, language.native_name) for language in Language.objects.all()
        ]
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", "—")] + [
            (country.code, str(country)) for country in Country.objects.all()
        ]


def shown_number(value: float, canonical: str, unit_system: str) -> str:
    """A stored spec number in `unit_system`, two decimals more than the spec sheet shows,
    without trailing zeros (20,537 kg is "20.537" t)."""
    unit = display_unit(canonical, unit_system)
    shown = f"{value * unit.factor:.{unit.decimals + 2}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


class ModelSelect(forms.Select):
    """The models as options that carry their category's slugs (the model's and its parents'):
    the page's script offers them by typing, and shows the spec fields of the chosen one's."""

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        model = getattr(value, "instance", None)
        if model is not None:
            option["attrs"]["data-categories"] = model.category.path.replace("/", " ")
            # the maker's names in other languages (コマツ, 小松): typed, they find it too
            option["attrs"]["data-aliases"] = " ".join(sorted(set(model.maker.names.values())))
        return option


class ModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.maker.name} {obj.model_number}"


class ListingForm(forms.Form):
    model = ModelChoice(
        label=_("Model"),
        queryset=MachineModel.objects.select_related("maker", "category").order_by(
            "maker__name", "model_number"
        ),
        widget=ModelSelect,
    )
    year = forms.IntegerField(label=_("Year"))
    hours = forms.IntegerField(label=_("Operating hours"), required=False)
    serial_number = forms.CharField(label=_("Serial number"), required=False)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all())
    region = forms.CharField(label=_("Region"), required=False)
    price = forms.CharField(label=_("Asking price"))
    currency = forms.ModelChoiceField(label=_("Currency"), queryset=Currency.objects.all())

    def __init__(
        self,
        *args: Any,
        unit_system: str = "metric",
        stored_specs: dict[str, float] | None = None,
        language: str = "en",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit_system = unit_system
        self.language = language
        # The listing's own spec numbers as stored (canonical units), shown in the seller's
        # units with two decimals more than the spec sheet; one left as shown is kept exactly
        # (`to_request`), so a listing saved unchanged stays unchanged.
        self.stored_specs = stored_specs or {}
        for language in LISTING_LANGUAGES:
            named = {
                "language": get_language_info(DJANGO_LANGUAGE.get(language, language))["name_translated"]
            }
            self.fields[f"title_{language}"] = forms.CharField(
                label=_("Title in %(language)s") % named, required=False, max_length=200
            )
            self.fields[f"description_{language}"] = forms.CharField(
                label=_("Description in %(language)s") % named,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.spec_definitions = list(SpecDefinition.objects.select_related("spec_category"))
        for definition in self.spec_definitions:
            name = f"spec_{definition.code}"
            if definition.code in self.stored_specs:
                self.initial[name] = shown_number(
                    self.stored_specs[definition.code], definition.unit, unit_system
                )
            label = definition.name(language)
            if definition.kind == SpecKind.NUMBER:
                unit = display_unit(definition.unit, unit_system)
                self.fields[name] = forms.CharField(label=f"{label} ({unit.symbol})", required=False)
            elif definition.kind == SpecKind.ENUM:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—")]
                    + [
                        (c["code"], c["names"].get(language) or c["names"].get("en", c["code"]))
                        for c in definition.choices
                    ],
                )
            else:
                self.fields[name] = forms.CharField(label=label, required=False)

    @property
    def spec_fields(self) -> list[Any]:
        return [self[f"spec_{definition.code}"] for definition in self.spec_definitions]

    @property
    def spec_fields_with_categories(self) -> list[tuple[Any, str]]:
        """Each spec field with the category slugs whose models carry that spec (space
        separated): the page shows a field only for a model of one of them."""
        used = spec_categories()
        return [
            (self[f"spec_{d.code}"], " ".join(sorted(used.get(d.code, ())))) for d in self.spec_definitions
        ]

    def clean(self) -> dict[str, Any]:
        """The price as a number the chosen currency can hold, said in plain words (the API's
        message names the currency's code and its digits)."""
        data = super().clean() or {}
        price, currency = data.get("price"), data.get("currency")
        if price and currency is not None:
            try:
                Money.parse(typed_amount(price), currency.code)
            except MoneyError:
                if not re.fullmatch(r"\d+(\.\d+)?", typed_amount(price)):
                    self.add_error("price", _("Write the price as a number, such as 45000 or 45,000.50."))
                elif currency.minor_units == 0:
                    self.add_error(
                        "price", _("This currency has no cents: write a whole number, such as 8800000.")
                    )
                else:
                    self.add_error("price", _("Write at most two digits after the decimal point."))
        return data

    @property
    def text_fields(self) -> list[Any]:
        return [
            self[f"{kind}_{language}"] for language in LISTING_LANGUAGES for kind in ("title", "description")
        ]

    def to_request(self) -> dict[str, Any]:
        """The API's MachineInput body for these answers (MachineInput validates it, for the
        page as for the API): numbers from the seller's units, the price as typed."""
        data = self.cleaned_data
        currency: Currency = data["currency"]
        specs: dict[str, Any] = {}
        for definition in self.spec_definitions:
            raw = data.get(f"spec_{definition.code}")
            if raw in (None, ""):
                continue
            unchanged = str(raw).strip() == str(self.initial.get(f"spec_{definition.code}", ""))
            if definition.kind == SpecKind.NUMBER and unchanged and definition.code in self.stored_specs:
                specs[definition.code] = self.stored_specs[definition.code]
            elif definition.kind == SpecKind.NUMBER:
                try:
                    specs[definition.code] = round(
                        from_display(float(str(raw).replace(",", "")), definition.unit, self.unit_system), 6
                    )
                except ValueError:
                    specs[definition.code] = raw  # MachineInput reports it as not a number
            else:
                specs[definition.code] = raw
        return {
            "model": data["model"].pk,
            "year": data["year"],
            "hours": data.get("hours"),
            "serial_number": data.get("serial_number") or "",
            "condition": data["condition"],
            "country": data["country"].pk,
            "region": data.get("region") or "",
            "price": {"amount": typed_amount(data["price"]), "currency": currency.code},
            "title": {lang: data[f"title_{lang}"] for lang in LISTING_LANGUAGES if data.get(f"title_{lang}")},
            "description": {
                lang: data[f"description_{lang}"]
                for lang in LISTING_LANGUAGES
                if data.get(f"description_{lang}")
            },
            "specs": specs,
        }

    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        """Errors named as the API names them ("price.amount", "specs.operating_weight",
        "title.en") shown beside this form's inputs."""
        for field, messages in fields.items():
            head, _, rest = field.partition(".")
            if head == "specs":
                name = f"spec_{rest}"
            elif head in ("title", "description"):
                name = f"{head}_{rest or 'en'}"
            else:
                name = head
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def spec_categories() -> dict[str, set[str]]:
    """For each spec code, the categories (and their parents) whose models carry it."""
    used: dict[str, set[str]] = {}
    rows = MachineModel.objects.values_list("spec_values__definition__code", "category__path").distinct()
    for code, path in rows:
        if code:
            used.setdefault(code, set()).update(path.split("/"))
    return used


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photos"), widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
    )
