"""The catalogue REST API against the real PostgreSQL: the seller and buyer journeys, and every
kind of bad input answered with the error shape and no change."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from rest_framework.test import APIClient

from marketplace.models import Machine, MachineStatus, OutboxEvent, Photo, User, WatchlistEntry
from tests.factories import PASSWORD, MachineFactory, SellerFactory, UserFactory, model_with_specs

pytestmark = pytest.mark.django_db


def client_for(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        response = client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
        )
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def listing(model_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "model": model_id,
        "year": 2016,
        "hours": 6200,
        "country": "JP",
        "region": "Chiba",
        "price": {"amount": "8800000", "currency": "JPY"},
        "title": {"ja": "コマツ PC200-8 油圧ショベル", "en": "Komatsu PC200-8 excavator"},
        "description": {"en": "One owner, full service history."},
        "specs": {"operating_weight": 20800, "attachments": "hammer line, quick coupler"},
    }
    data.update(overrides)
    return data


def jpeg_bytes(size: tuple[int, int] = (1600, 1200), with_exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 30))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if with_exif:
        exif[0x010F] = "SecretCam"  # Make
        exif[0x0112] = 6  # Orientation: rotate 90° to be upright
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    return error


# ------------------------------------------------------------------ journeys


def test_a_seller_registers_lists_publishes_and_a_buyer_watches() -> None:
    model = model_with_specs()
    anonymous = APIClient()

    # a seller registers and receives a token
    response = anonymous.post(
        "/api/v1/auth/register/",
        {
            "username": "kanto-machinery",
            "password": PASSWORD,
            "email": "sales@kanto.example",
            "primary_language": "ja",
            "is_seller": True,
            "company_name": "Kanto Machinery",
            "country": "JP",
        },
        format="json",
    )
    assert response.status_code == 201
    seller = APIClient()
    seller.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    # the seller creates a listing with specs: a draft nobody else sees
    response = seller.post("/api/v1/machines/", listing(model.pk), format="json")
    assert response.status_code == 201, response.content
    machine = response.json()
    assert machine["status"] == "draft"
    assert machine["price"] == {"amount": "8800000", "currency": "JPY", "minor": 8_800_000}
    assert machine["title"]["ja"] == "コマツ PC200-8 油圧ショベル"
    specs = {spec["code"]: (spec["value"], spec["source"]) for spec in machine["specs"]}
    assert specs["operating_weight"] == (20800, "machine")  # the seller's own value wins
    assert specs["engine_power"] == (110, "model")  # the catalogue value fills in
    assert specs["attachments"] == ("hammer line, quick coupler", "machine")
    assert anonymous.get(f"/api/v1/machines/{machine['id']}/").status_code == 404

    # adds a photo and publishes
    response = seller.post(
        f"/api/v1/machines/{machine['id']}/photos/", {"image": io.BytesIO(jpeg_bytes())}, format="multipart"
    )
    assert response.status_code == 201, response.content
    response = seller.post(f"/api/v1/machines/{machine['id']}/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None

    # a buyer registers, sees it and watches it
    response = anonymous.post(
        "/api/v1/auth/register/",
        {
            "username": "buyer-mn",
            "password": PASSWORD,
            "email": "b@mn.example",
            "primary_language": "en",
        },
        format="json",
    )
    buyer = APIClient()
    buyer.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    seen = buyer.get(f"/api/v1/machines/{machine['id']}/").json()
    assert len(seen["photos"]) == 1
    assert seen["watchers"] == 0
    assert buyer.post("/api/v1/watchlist/", {"machine": machine["id"]}, format="json").status_code == 201
    assert (
        buyer.post("/api/v1/watchlist/", {"machine": machine["id"]}, format="json").status_code == 201
    )  # idempotent
    assert [entry["machine"] for entry in buyer.get("/api/v1/watchlist/").json()] == [machine["id"]]
    assert buyer.get(f"/api/v1/machines/{machine['id']}/").json()["watchers"] == 1

    # and unwatches it
    assert buyer.delete(f"/api/v1/watchlist/{machine['id']}/").status_code == 204
    assert WatchlistEntry.objects.count() == 0


def test_every_listing_write_announces_itself_to_search_and_graph_and_a_publication_to_alerts() -> None:
    seller = SellerFactory.create()
    client = client_for(seller)
    machine_id = client.post("/api/v1/machines/", listing(model_with_specs().pk), format="json").json()["id"]
    client.patch(f"/api/v1/machines/{machine_id}/", {"hours": 6300}, format="json")
    client.post(f"/api/v1/machines/{machine_id}/publish/")

    events = list(OutboxEvent.objects.order_by("id").values_list("topic", "entity", "entity_id"))

    assert events == [("search", "machine", machine_id), ("graph", "machine", machine_id)] * 3 + [
        ("alerts", "machine_published", machine_id)
    ]


def test_token_auth_rejects_a_wrong_password() -> None:
    user = UserFactory.create()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": "nope"}, format="json"
    )
    assert_error(response, 401, "invalid_credentials")


def test_reference_endpoints_list_the_taxonomy() -> None:
    model = model_with_specs()
    client = APIClient()

    assert [c["slug"] for c in client.get("/api/v1/categories/").json()] == [model.category.slug]
    assert [m["slug"] for m in client.get("/api/v1/makers/").json()] == [model.maker.slug]
    assert client.get("/api/v1/models/").json()["results"][0]["model_number"] == model.model_number
    codes = {d["code"]: d["kind"] for d in client.get("/api/v1/spec-definitions/").json()}
    assert codes["undercarriage"] == "enum"
    assert codes["operating_weight"] == "number"


def test_the_openapi_schema_documents_the_api() -> None:
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    paths = response.json()["paths"]
    for path in [
        "/api/v1/machines/",
        "/api/v1/machines/{machine_id}/photos/",
        "/api/v1/auth/token/",
        "/api/v1/watchlist/",
    ]:
        assert path in paths


# ------------------------------------------------------------------ bad input changes nothing


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"specs": {"no_such_spec": 1}}, ["specs", "no_such_spec"]),
        ({"specs": {"operating_weight": "heavy"}}, ["specs", "operating_weight"]),
        ({"specs": {"operating_weight": 5}}, ["specs", "operating_weight"]),
        ({"specs": {"undercarriage": "hovercraft"}}, ["specs", "undercarriage"]),
        ({"hours": -1}, ["hours"]),
        ({"hours": "12"}, ["hours"]),
        ({"year": 2999}, ["year"]),
        ({"year": 2016.0}, ["year"]),
        ({"price": {"amount": "100"}}, ["price", "currency"]),
        ({"price": {"amount": "-5", "currency": "EUR"}}, ["price", "amount"]),
        ({"price": {"amount": "0", "currency": "EUR"}}, ["price", "amount"]),
        ({"price": {"amount": 100, "currency": "EUR"}}, ["price", "amount"]),
        ({"price": {"amount": "1.5", "currency": "JPY"}}, ["price", "amount"]),
        ({"price": {"amount": "100", "currency": "XXX"}}, ["price", "currency"]),
        ({"price": {"amount": "100", "currency": ["EUR"]}}, ["price", "currency"]),
        ({"price": {"amount": "100.00", "currency": "EUR", "minor": 99}}, ["price", "minor"]),
        ({"title": {}}, ["title"]),
        ({"title": {"en": "   "}}, ["title"]),
        ({"title": {"xx": "?"}}, ["title", "xx"]),
        ({"country": "ZZ"}, ["country"]),
        ({"colour": "yellow"}, ["colour"]),
    ],
)
def test_bad_listing_input_is_rejected_and_nothing_is_written(
    overrides: dict[str, Any], path: list[str]
) -> None:
    client = client_for(SellerFactory.create())
    model = model_with_specs()

    response = client.post("/api/v1/machines/", listing(model.pk, **overrides), format="json")

    error = assert_error(response, 400, "validation_error")
    fields: Any = error["fields"]
    for name in path:
        fields = fields[name]
    assert fields
    assert all(isinstance(message, str) for message in fields)
    assert Machine.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_a_listing_of_a_model_that_does_not_exist_is_unprocessable() -> None:
    client = client_for(SellerFactory.create())
    model_with_specs()  # the spec definitions the listing names

    response = client.post("/api/v1/machines/", listing(999_999), format="json")

    error = assert_error(response, 422, "unprocessable")
    assert set(error["fields"]) == {"model"}
    assert Machine.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_a_body_that_is_not_an_object_is_rejected() -> None:
    response = client_for(SellerFactory.create()).post("/api/v1/machines/", [1, 2], format="json")
    assert_error(response, 400, "validation_error")
    assert Machine.objects.count() == 0


def test_anonymous_and_buyers_cannot_create_listings() -> None:
    model = model_with_specs()

    assert_error(
        APIClient().post("/api/v1/machines/", listing(model.pk), format="json"), 401, "not_authenticated"
    )
    assert_error(
        client_for(UserFactory.create()).post("/api/v1/machines/", listing(model.pk), format="json"),
        403,
        "not_a_seller",
    )
    assert Machine.objects.count() == 0


def test_only_the_owner_edits_a_listing() -> None:
    machine = MachineFactory.create(model=model_with_specs())
    intruder = client_for(SellerFactory.create())

    response = intruder.patch(f"/api/v1/machines/{machine.pk}/", {"hours": 1}, format="json")

    assert_error(response, 403, "not_owner")
    machine.refresh_from_db()
    assert machine.hours == 6200
    assert_error(intruder.post(f"/api/v1/machines/{machine.pk}/unpublish/"), 403, "not_owner")
    assert_error(
        intruder.post(
            f"/api/v1/machines/{machine.pk}/photos/", {"image": io.BytesIO(jpeg_bytes())}, format="multipart"
        ),
        403,
        "not_owner",
    )
    assert Photo.objects.count() == 0


def test_someone_elses_draft_is_not_found() -> None:
    draft = MachineFactory.create(model=model_with_specs(), status=MachineStatus.DRAFT, published_at=None)

    assert_error(
        client_for(SellerFactory.create()).patch(
            f"/api/v1/machines/{draft.pk}/", {"hours": 1}, format="json"
        ),
        404,
        "not_found",
    )
    assert_error(APIClient().get(f"/api/v1/machines/{draft.pk}/"), 404, "not_found")


def test_publishing_twice_is_a_conflict() -> None:
    machine = MachineFactory.create(model=model_with_specs())
    response = client_for(machine.seller).post(f"/api/v1/machines/{machine.pk}/publish/")
    assert_error(response, 409, "invalid_transition")


def test_a_sold_listing_cannot_be_edited() -> None:
    machine = MachineFactory.create(model=model_with_specs(), status=MachineStatus.SOLD)
    response = client_for(machine.seller).patch(
        f"/api/v1/machines/{machine.pk}/", {"hours": 1}, format="json"
    )
    assert_error(response, 409, "listing_sold")


def test_registration_of_a_seller_without_company_or_country_fails() -> None:
    response = APIClient().post(
        "/api/v1/auth/register/",
        {
            "username": "half-seller",
            "password": PASSWORD,
            "email": "x@example.com",
            "is_seller": True,
        },
        format="json",
    )

    error = assert_error(response, 422, "unprocessable")
    assert set(error["fields"]) == {"company_name", "country"}
    assert not User.objects.filter(username="half-seller").exists()


def test_watching_an_unknown_or_draft_machine_is_not_found() -> None:
    draft = MachineFactory.create(model=model_with_specs(), status=MachineStatus.DRAFT)
    buyer = client_for(UserFactory.create())

    assert_error(buyer.post("/api/v1/watchlist/", {"machine": draft.pk}, format="json"), 404, "not_found")
    assert_error(buyer.post("/api/v1/watchlist/", {"machine": "x"}, format="json"), 400, "validation_error")
    assert WatchlistEntry.objects.count() == 0


# ------------------------------------------------------------------ photos checked by content


def test_a_photo_is_reencoded_without_exif_turned_upright_and_thumbnailed() -> None:
    machine = MachineFactory.create(model=model_with_specs())

    response = client_for(machine.seller).post(
        f"/api/v1/machines/{machine.pk}/photos/",
        {"image": io.BytesIO(jpeg_bytes((1600, 1200), with_exif=True))},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    photo = Photo.objects.get()
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG"
    assert stored.size == (1200, 1600)  # the EXIF orientation was applied, then dropped
    assert dict(stored.getexif()) == {}
    assert max(Image.open(photo.thumbnail.path).size) == 480


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"this is not an image at all", "not_an_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not_an_image"),
        ("gif", "unsupported_image"),
    ],
)
def test_uploads_that_are_not_accepted_images_are_rejected(payload: bytes | str, code: str) -> None:
    machine = MachineFactory.create(model=model_with_specs())
    if payload == "gif":
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        payload = buffer.getvalue()
    upload = io.BytesIO(payload)  # type: ignore[arg-type]
    upload.name = "photo.jpg"  # the name claims a JPEG; the content decides

    response = client_for(machine.seller).post(
        f"/api/v1/machines/{machine.pk}/photos/", {"image": upload}, format="multipart"
    )

    assert_error(response, 422, code)
    assert Photo.objects.count() == 0


def test_an_oversized_upload_is_rejected(settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 10_000
    machine = MachineFactory.create(model=model_with_specs())

    response = client_for(machine.seller).post(
        f"/api/v1/machines/{machine.pk}/photos/",
        {"image": io.BytesIO(jpeg_bytes((2000, 2000)))},
        format="multipart",
    )

    assert_error(response, 413, "file_too_large")
    assert Photo.objects.count() == 0


def test_the_seller_removes_a_photo_and_nobody_else_can() -> None:
    machine = MachineFactory.create(model=model_with_specs())
    seller = client_for(machine.seller)
    for _ in range(2):
        seller.post(
            f"/api/v1/machines/{machine.pk}/photos/", {"image": io.BytesIO(jpeg_bytes())}, format="multipart"
        )
    first, second = Photo.objects.order_by("position")

    assert_error(
        client_for(SellerFactory.create()).delete(f"/api/v1/machines/{machine.pk}/photos/{first.pk}/"),
        403,
        "not_owner",
    )
    assert seller.delete(f"/api/v1/machines/{machine.pk}/photos/{first.pk}/").status_code == 204
    assert_error(seller.delete(f"/api/v1/machines/{machine.pk}/photos/{first.pk}/"), 404, "not_found")

    assert list(Photo.objects.values_list("pk", flat=True)) == [second.pk]
    assert seller.get(f"/api/v1/machines/{machine.pk}/").json()["photos"][0]["id"] == second.pk
