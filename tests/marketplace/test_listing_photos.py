"""A seller orders their listing's photos and picks the cover (issue 20), through the listing
form's buttons and the `photos_reorder` service; the order is the one search and the listing
page show."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from core.errors import DomainError
from marketplace.models import Machine, Photo
from marketplace.services import photo_add, photos_reorder
from tests.factories import MachineFactory, SellerFactory

pytestmark = pytest.mark.django_db


def jpeg(colour: tuple[int, int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def listing() -> tuple[Machine, list[int]]:
    machine = MachineFactory.create(seller=SellerFactory.create(username="photo-seller"))
    ids = []
    for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        upload = jpeg(colour)
        ids.append(
            photo_add(
                actor=machine.seller, machine_id=machine.pk, upload=upload, size=len(upload.getvalue())
            ).pk
        )
    return machine, ids


def order(machine: Machine) -> list[int]:
    return list(Photo.objects.filter(machine=machine).order_by("position", "id").values_list("pk", flat=True))


def test_the_buttons_make_a_cover_and_move_photos(client: Client, listing: tuple[Machine, list[int]]) -> None:
    machine, (red, green, blue) = listing
    client.force_login(machine.seller)

    client.post(f"/sell/{machine.pk}/photos/{blue}/cover/")
    assert order(machine) == [blue, red, green]
    client.post(f"/sell/{machine.pk}/photos/{blue}/later/")
    assert order(machine) == [red, blue, green]
    client.post(f"/sell/{machine.pk}/photos/{red}/earlier/")  # already first: stays
    assert order(machine) == [red, blue, green]
    response = client.post(f"/sell/{machine.pk}/photos/{green}/remove/")
    assert response.status_code == 302
    assert order(machine) == [red, blue]


def test_the_listing_form_shows_the_cover_first(client: Client, listing: tuple[Machine, list[int]]) -> None:
    machine, (red, green, blue) = listing
    photos_reorder(actor=machine.seller, machine_id=machine.pk, photo_ids=[green, blue, red])
    client.force_login(machine.seller)

    html = client.get(f"/sell/{machine.pk}/edit/").content.decode()

    positions = [html.index(f'data-photo="{photo_id}"') for photo_id in (green, blue, red)]
    assert positions == sorted(positions)


def test_an_order_that_is_not_every_photo_once_changes_nothing(listing: tuple[Machine, list[int]]) -> None:
    machine, (red, green, blue) = listing

    for wrong in ([red, green], [red, green, blue, blue], [red, green, 999_999]):
        with pytest.raises(DomainError) as refused:
            photos_reorder(actor=machine.seller, machine_id=machine.pk, photo_ids=wrong)
        assert refused.value.status_code == 422
    assert order(machine) == [red, green, blue]


def test_only_the_seller_orders_their_photos(client: Client, listing: tuple[Machine, list[int]]) -> None:
    machine, (red, green, blue) = listing
    client.force_login(SellerFactory.create(username="someone-else"))

    response = client.post(f"/sell/{machine.pk}/photos/{blue}/cover/")

    assert response.status_code in (403, 404)
    assert order(machine) == [red, green, blue]


def test_an_unknown_move_is_a_404_not_a_500(client: Client, listing: tuple[Machine, list[int]]) -> None:
    machine, (red, _green, _blue) = listing
    client.force_login(machine.seller)

    assert client.post(f"/sell/{machine.pk}/photos/{red}/sideways/").status_code == 404
