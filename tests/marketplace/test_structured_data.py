"""A listing's page describes it to search engines as schema.org's Product with its Offer
(JSON-LD, issue 20), and nothing a seller writes can close the script element."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from PIL import Image

from marketplace.models import MachineStatus
from marketplace.services import photo_add
from tests.factories import MachineFactory, SellerFactory

pytestmark = pytest.mark.django_db


def structured_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_a_listing_is_a_product_with_its_offer(client: Client) -> None:
    seller = SellerFactory.create(company_name="Osaka Iron Works")
    machine = MachineFactory.create(
        seller=seller, year=2016, price_amount=8_800_000, price_currency_id="JPY",
        title={"en": "Komatsu PC200-8 </script><script>alert(1)</script>"},
    )  # fmt: skip
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 120, 0)).save(buffer, format="JPEG")
    photo = photo_add(
        actor=seller, machine_id=machine.pk, upload=io.BytesIO(buffer.getvalue()), size=len(buffer.getvalue())
    )

    html = client.get(f"/machines/{machine.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<script>alert(1)" not in html
    data = structured_data(html)
    assert data["@type"] == "Product"
    assert data["name"] == "Komatsu PC200-8 </script><script>alert(1)</script>"  # escaped, then read back
    assert data["brand"] == {"@type": "Brand", "name": machine.model.maker.name}
    assert data["model"] == machine.model.model_number
    assert data["image"] == [f"http://testserver{photo.image.url}"]
    assert data["itemCondition"] == "https://schema.org/UsedCondition"
    assert data["offers"] == {
        "@type": "Offer",
        "url": f"http://testserver/machines/{machine.pk}/",
        "price": "8800000",
        "priceCurrency": "JPY",
        "availability": "https://schema.org/InStock",
        "seller": {"@type": "Organization", "name": "Osaka Iron Works"},
    }


def test_a_sold_listing_offers_nothing_in_stock(client: Client) -> None:
    machine = MachineFactory.create(status=MachineStatus.SOLD)

    data = structured_data(client.get(f"/machines/{machine.pk}/").content.decode())

    assert data["offers"]["availability"] == "https://schema.org/SoldOut"  # type: ignore[index]
