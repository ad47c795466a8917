"""The seller's listing form shows a listing's spec values in the seller's units, so saving it
unchanged changes nothing (it used to show kilograms in a tonne field, then refuse them)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from marketplace.models import Machine, MachineSpecValue
from tests.factories import MachineFactory, SellerFactory, model_with_specs, spec_taxonomy

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """What a browser would submit from the page's listing form: each input's value, each
    select's selected option, each textarea's text."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name and attributes.get("type") not in ("submit", "file", "checkbox"):
            self.values[name] = attributes.get("value") or ""
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    parser = FormValues()
    start = html.index('<form method="post" class="listing-form"')
    parser.feed(html[start : html.index("</form>", start)])  # the listing form alone
    return parser.values


def editing(unit_system: str) -> tuple[Client, Machine, dict[str, str]]:
    """A seller working in `unit_system`, signed in, on the edit page of their draft whose
    operating weight is 20,537 kg of its own; and the page's form values."""
    seller = SellerFactory.create(unit_system=unit_system, primary_language_id="en")
    machine = MachineFactory.create(
        seller=seller, model=model_with_specs(), status="draft", published_at=None
    )
    MachineSpecValue.objects.create(
        machine=machine, definition=spec_taxonomy()["operating_weight"], value_number=20537
    )
    client = Client()
    client.force_login(seller)
    return client, machine, form_values(client.get(f"/sell/{machine.pk}/edit/").content.decode())


def stored_weight(machine: Machine) -> float | None:
    weight = Machine.objects.get(pk=machine.pk).spec_values.get(definition__code="operating_weight")
    return weight.value_number


@pytest.mark.parametrize(("unit_system", "shown"), [("metric", "20.537"), ("imperial", "45276.33")])
def test_a_listing_saved_unchanged_keeps_its_spec_values(unit_system: str, shown: str) -> None:
    client, machine, values = editing(unit_system)
    assert values["spec_operating_weight"].startswith(shown)  # in the seller's unit

    saved = client.post(f"/sell/{machine.pk}/edit/", values)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert stored_weight(machine) == pytest.approx(20537, abs=1e-6)


@pytest.mark.parametrize(
    ("unit_system", "typed", "stored"), [("metric", "20.6", 20600), ("imperial", "50000", 22679.6)]
)
def test_a_spec_value_the_seller_changes_is_read_in_their_units(
    unit_system: str, typed: str, stored: float
) -> None:
    client, machine, values = editing(unit_system)

    saved = client.post(f"/sell/{machine.pk}/edit/", {**values, "spec_operating_weight": typed})

    assert saved.status_code == 302
    assert stored_weight(machine) == pytest.approx(stored, abs=0.1)


@pytest.mark.parametrize(
    ("currency", "typed", "said"),
    [
        ("JPY", "8800000.50", "This currency has no cents: write a whole number, such as 8800000."),
        ("EUR", "45000.505", "Write at most two digits after the decimal point."),
        ("EUR", "about 45k", "Write the price as a number, such as 45000 or 45,000.50."),
    ],
)
def test_a_price_the_currency_cannot_hold_is_refused_in_plain_words(
    currency: str, typed: str, said: str
) -> None:
    client, machine, values = editing("metric")

    page = client.post(f"/sell/{machine.pk}/edit/", {**values, "currency": currency, "price": typed})

    html = page.content.decode()
    assert page.status_code == 200
    assert f'<span class="error">{said}</span>' in html
    assert "minor units" not in html
    assert Machine.objects.get(pk=machine.pk).price_amount == machine.price_amount  # nothing saved


def test_a_new_listing_starts_from_the_seller_s_country_and_currency() -> None:
    seller = SellerFactory.create(country_id="DE", display_currency_id="EUR")
    client = Client()
    client.force_login(seller)

    values = form_values(client.get("/sell/new/").content.decode())

    assert (values["country"], values["currency"]) == ("DE", "EUR")


def test_each_spec_field_names_the_categories_whose_models_carry_it() -> None:
    client, machine, _values = editing("metric")
    html = client.get(f"/sell/{machine.pk}/edit/").content.decode()
    category = machine.model.category

    weight = html.index('id="id_spec_operating_weight"')
    field = html[html.rindex('<div class="field spec-field', 0, weight) : weight]
    assert category.slug in field.split('data-categories="')[1].split('"')[0].split()
