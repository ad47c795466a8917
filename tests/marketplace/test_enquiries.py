"""Enquiries against the real PostgreSQL: a buyer writes to a seller about a listing, the seller
replies, both read the thread; the rules (own listing, draft listing, strangers), bad input and
the rate limits, through the services and through the API (with its error body, and nothing
stored when refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError, TooManyRequestsError
from marketplace import selectors, services
from marketplace.models import Enquiry, EnquiryMessage, Machine, MachineStatus, User
from marketplace.services.enquiries import MAX_MESSAGES_PER_ENQUIRY
from tests.factories import MachineFactory, SellerFactory, UserFactory
from tests.marketplace.test_apis import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing() -> Machine:
    return MachineFactory.create(seller=SellerFactory.create(username="kanto", primary_language_id="en"))


@pytest.fixture
def buyer() -> User:
    return UserFactory.create(username="enquirer")


def stored() -> tuple[int, int]:
    return Enquiry.objects.count(), EnquiryMessage.objects.count()


# ------------------------------------------------------------------ services and selectors


def test_a_buyer_asks_and_the_seller_replies_in_one_thread(listing: Machine, buyer: User) -> None:
    seller = listing.seller

    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="  Is it still available?\n")

    assert (enquiry.buyer_id, enquiry.seller_id, enquiry.machine_id) == (buyer.pk, seller.pk, listing.pk)
    assert [m.body for m in enquiry.messages.all()] == ["Is it still available?"]
    assert (enquiry.message_count, enquiry.buyer_unread, enquiry.seller_unread) == (1, 0, 1)
    assert selectors.enquiry_unread_count(seller) == 1
    assert selectors.enquiry_unread_count(buyer) == 0

    services.enquiry_mark_read(user=seller, enquiry_id=enquiry.pk)
    services.enquiry_reply(author=seller, enquiry_id=enquiry.pk, body="Yes, come and see it.")
    again = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Great, Monday?")

    assert again.pk == enquiry.pk
    enquiry.refresh_from_db()
    assert [
        (m.author_id, m.body)
        for m in selectors.enquiry_get(enquiry_id=enquiry.pk, viewer=buyer).messages.all()
    ] == [
        (buyer.pk, "Is it still available?"),
        (seller.pk, "Yes, come and see it."),
        (buyer.pk, "Great, Monday?"),
    ]
    # the buyer wrote after the reply, so read it; the seller has one new message
    assert (enquiry.message_count, enquiry.buyer_unread, enquiry.seller_unread) == (3, 0, 1)
    assert selectors.enquiry_unread_count(seller) == 1
    assert list(selectors.enquiries_for(seller)) == [enquiry]
    assert list(selectors.enquiries_for(buyer)) == [enquiry]
    assert selectors.enquiry_tallies(seller)[listing.pk] == selectors.EnquiryTally(total=1, unread=1)


def test_unread_counts_threads_not_messages_and_reset_on_reading(listing: Machine, buyer: User) -> None:
    other = MachineFactory.create(seller=listing.seller)
    first = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="One")
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Two")
    services.enquiry_send(buyer=UserFactory.create(), machine_id=other.pk, body="Three")

    assert selectors.enquiry_unread_count(listing.seller) == 2
    first.refresh_from_db()
    assert first.seller_unread == 2

    services.enquiry_mark_read(user=listing.seller, enquiry_id=first.pk)

    first.refresh_from_db()
    assert first.seller_unread == 0
    assert selectors.enquiry_unread_count(listing.seller) == 1


def test_a_seller_cannot_enquire_about_their_own_listing(listing: Machine) -> None:
    with pytest.raises(ForbiddenError) as refused:
        services.enquiry_send(buyer=listing.seller, machine_id=listing.pk, body="Hello me")

    assert refused.value.code == "own_listing"
    assert stored() == (0, 0)


@pytest.mark.parametrize("status", [MachineStatus.DRAFT])
def test_a_listing_buyers_cannot_see_is_not_found(buyer: User, status: str) -> None:
    draft = MachineFactory.create(status=status, published_at=None)

    with pytest.raises(NotFoundError):
        services.enquiry_send(buyer=buyer, machine_id=draft.pk, body="Hello")
    with pytest.raises(NotFoundError):
        services.enquiry_send(buyer=buyer, machine_id=999_999_999, body="Hello")

    assert stored() == (0, 0)


def test_a_sold_listing_takes_no_new_thread_but_an_open_one_goes_on(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Still there?")
    Machine.objects.filter(pk=listing.pk).update(status=MachineStatus.SOLD)

    with pytest.raises(ConflictError) as refused:
        services.enquiry_send(buyer=UserFactory.create(), machine_id=listing.pk, body="Hello")
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Who bought it?")

    assert refused.value.code == "listing_not_offered"
    assert stored() == (1, 2)
    assert Enquiry.objects.get().pk == enquiry.pk


def test_only_the_two_parties_and_staff_see_or_write_in_a_thread(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")
    stranger = UserFactory.create()
    staff = UserFactory.create(is_staff=True)

    with pytest.raises(NotFoundError):
        selectors.enquiry_get(enquiry_id=enquiry.pk, viewer=stranger)
    with pytest.raises(NotFoundError):
        services.enquiry_reply(author=stranger, enquiry_id=enquiry.pk, body="Me too")
    with pytest.raises(NotFoundError):
        services.enquiry_mark_read(user=stranger, enquiry_id=enquiry.pk)
    assert list(selectors.enquiries_for(stranger)) == []

    assert selectors.enquiry_get(enquiry_id=enquiry.pk, viewer=staff).pk == enquiry.pk
    services.enquiry_reply(author=staff, enquiry_id=enquiry.pk, body="A note from the marketplace.")
    enquiry.refresh_from_db()
    assert (enquiry.message_count, enquiry.buyer_unread, enquiry.seller_unread) == (2, 1, 2)


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 4001, "bad \x00 char", "lone \ud800"])
def test_a_message_that_is_not_one_is_refused_and_nothing_stored(
    listing: Machine, buyer: User, body: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.enquiry_send(buyer=buyer, machine_id=listing.pk, body=body)

    assert refused.value.code == "validation_error"
    assert list(refused.value.fields) == ["body"]
    assert stored() == (0, 0)


def test_a_message_of_4000_characters_fits(listing: Machine, buyer: User) -> None:
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="\u65e5" * 4000)

    assert len(EnquiryMessage.objects.get().body) == 4000


def test_a_forms_line_breaks_are_kept_as_one_character(listing: Machine, buyer: User) -> None:
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="a" * 2000 + "\r\nb" * 1000)

    assert EnquiryMessage.objects.get().body == "a" * 2000 + "\nb" * 1000  # 4000 characters


def test_messages_per_minute_are_limited(listing: Machine, buyer: User, settings: Any) -> None:
    settings.ENQUIRY_MESSAGES_PER_MINUTE = 3
    now = timezone.now()
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="1", now=now)
    services.enquiry_reply(author=buyer, enquiry_id=enquiry.pk, body="2", now=now + timedelta(seconds=10))
    services.enquiry_reply(author=buyer, enquiry_id=enquiry.pk, body="3", now=now + timedelta(seconds=20))

    with pytest.raises(TooManyRequestsError) as refused:
        services.enquiry_reply(author=buyer, enquiry_id=enquiry.pk, body="4", now=now + timedelta(seconds=30))

    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after == 31  # the first message leaves the window at now + 60 s
    assert stored() == (1, 3)
    # the seller's own limit is their own
    services.enquiry_reply(
        author=listing.seller, enquiry_id=enquiry.pk, body="ok", now=now + timedelta(seconds=30)
    )
    # a minute after the first, there is room again
    services.enquiry_reply(author=buyer, enquiry_id=enquiry.pk, body="4", now=now + timedelta(seconds=61))
    assert stored() == (1, 5)


def test_new_threads_per_hour_are_limited(buyer: User, settings: Any) -> None:
    settings.ENQUIRIES_PER_HOUR = 2
    seller = SellerFactory.create()
    machines = [MachineFactory.create(seller=seller) for _ in range(3)]
    now = timezone.now()
    for minutes, machine in zip((0, 10), machines[:2], strict=True):
        services.enquiry_send(
            buyer=buyer, machine_id=machine.pk, body="Hi", now=now + timedelta(minutes=minutes)
        )

    with pytest.raises(TooManyRequestsError):
        services.enquiry_send(
            buyer=buyer, machine_id=machines[2].pk, body="Hi", now=now + timedelta(minutes=20)
        )
    # writing in a thread already started is not a new one
    services.enquiry_send(
        buyer=buyer, machine_id=machines[0].pk, body="Again", now=now + timedelta(minutes=21)
    )

    assert stored() == (2, 3)


def test_a_thread_holds_a_bounded_number_of_messages(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")
    Enquiry.objects.filter(pk=enquiry.pk).update(message_count=MAX_MESSAGES_PER_ENQUIRY)

    with pytest.raises(ConflictError) as refused:
        services.enquiry_reply(author=listing.seller, enquiry_id=enquiry.pk, body="One more")

    assert refused.value.code == "enquiry_full"
    assert stored() == (1, 1)


# ------------------------------------------------------------------ the API


def test_the_api_journey(listing: Machine, buyer: User) -> None:
    as_buyer, as_seller = client_for(buyer), client_for(listing.seller)

    created = as_buyer.post(
        "/api/v1/enquiries/", {"machine": listing.pk, "body": "Is the bucket included?"}, format="json"
    )

    assert created.status_code == 201, created.content
    thread = created.json()
    assert thread["machine"]["id"] == listing.pk
    assert thread["machine"]["url"] == f"/machines/{listing.pk}/"
    assert thread["url"] == f"/enquiries/{thread['id']}/"
    assert (thread["buyer"]["id"], thread["seller"]["id"]) == (buyer.pk, listing.seller_id)
    assert thread["seller"]["name"] == listing.seller.company_name
    assert thread["unread"] == 0
    assert [(m["role"], m["body"]) for m in thread["messages"]] == [("buyer", "Is the bucket included?")]

    inbox = as_seller.get("/api/v1/enquiries/").json()
    assert inbox["count"] == 1
    assert inbox["results"][0]["id"] == thread["id"]
    assert inbox["results"][0]["unread"] == 1
    assert "messages" not in inbox["results"][0]

    reply = as_seller.post(f"/api/v1/enquiries/{thread['id']}/messages/", {"body": "Yes."}, format="json")
    assert reply.status_code == 201, reply.content
    assert (reply.json()["role"], reply.json()["author"]["id"]) == ("seller", listing.seller_id)

    seen = as_buyer.get(f"/api/v1/enquiries/{thread['id']}/").json()
    assert [m["body"] for m in seen["messages"]] == ["Is the bucket included?", "Yes."]
    assert seen["unread"] == 1  # reading through GET does not mark it read

    marked = as_buyer.post(f"/api/v1/enquiries/{thread['id']}/read/")
    assert marked.status_code == 200, marked.content
    assert marked.json()["unread"] == 0
    assert as_buyer.get("/api/v1/enquiries/").json()["results"][0]["unread"] == 0


def test_the_api_list_is_paginated_and_bounded(listing: Machine, buyer: User) -> None:
    seller = listing.seller
    for _ in range(3):
        services.enquiry_send(buyer=buyer, machine_id=MachineFactory.create(seller=seller).pk, body="Hi")

    page = client_for(seller).get("/api/v1/enquiries/?limit=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] is not None
    assert_error(client_for(seller).get("/api/v1/enquiries/?limit=101"), 400, "validation_error")


def test_anonymous_requests_are_refused(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")
    anonymous = client_for(None)

    assert_error(anonymous.get("/api/v1/enquiries/"), 401, "not_authenticated")
    assert_error(
        anonymous.post("/api/v1/enquiries/", {"machine": listing.pk, "body": "Hi"}, format="json"),
        401,
        "not_authenticated",
    )
    assert_error(anonymous.get(f"/api/v1/enquiries/{enquiry.pk}/"), 401, "not_authenticated")
    assert_error(
        anonymous.post(f"/api/v1/enquiries/{enquiry.pk}/messages/", {"body": "Hi"}, format="json"),
        401,
        "not_authenticated",
    )
    assert stored() == (1, 1)


def test_strangers_get_404_for_a_thread(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")
    stranger = client_for(UserFactory.create())

    assert_error(stranger.get(f"/api/v1/enquiries/{enquiry.pk}/"), 404, "not_found")
    assert_error(
        stranger.post(f"/api/v1/enquiries/{enquiry.pk}/messages/", {"body": "Hi"}, format="json"),
        404,
        "not_found",
    )
    assert_error(stranger.post(f"/api/v1/enquiries/{enquiry.pk}/read/"), 404, "not_found")
    assert_error(stranger.get("/api/v1/enquiries/999999999/"), 404, "not_found")
    assert stranger.get("/api/v1/enquiries/").json()["count"] == 0
    assert stored() == (1, 1)


def test_the_api_refuses_own_and_draft_listings(listing: Machine, buyer: User) -> None:
    draft = MachineFactory.create(status=MachineStatus.DRAFT, published_at=None)

    assert_error(
        client_for(listing.seller).post(
            "/api/v1/enquiries/", {"machine": listing.pk, "body": "Hi"}, format="json"
        ),
        403,
        "own_listing",
    )
    assert_error(
        client_for(buyer).post("/api/v1/enquiries/", {"machine": draft.pk, "body": "Hi"}, format="json"),
        404,
        "not_found",
    )
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"machine": 1},
        {"body": "Hi"},
        {"machine": "1", "body": "Hi"},
        {"machine": 1, "body": 42},
        {"machine": 1, "body": ""},
        {"machine": 1, "body": "   "},
        {"machine": 1, "body": "x" * 4001},
        {"machine": 1, "body": "Hi", "subject": "extra"},
        {"machine": 0, "body": "Hi"},
        ["machine", 1],
    ],
)
def test_bad_input_is_a_400_with_the_error_body_and_nothing_stored(
    listing: Machine, buyer: User, body: Any
) -> None:
    if isinstance(body, dict) and body.get("machine") == 1:
        body = {**body, "machine": listing.pk}

    response = client_for(buyer).post("/api/v1/enquiries/", body, format="json")

    error = assert_error(response, 400, "validation_error")
    assert error["fields"] or isinstance(body, list)
    assert stored() == (0, 0)


def test_a_reply_with_bad_input_is_a_400(listing: Machine, buyer: User) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")

    for body in ({}, {"body": None}, {"body": " \n "}, {"body": ["Hi"]}, {"body": "y" * 4001}):
        response = client_for(listing.seller).post(
            f"/api/v1/enquiries/{enquiry.pk}/messages/", body, format="json"
        )
        assert "body" in assert_error(response, 400, "validation_error")["fields"]
    assert stored() == (1, 1)


def test_the_rate_limit_is_a_429_with_retry_after_and_nothing_stored(
    listing: Machine, buyer: User, settings: Any
) -> None:
    settings.ENQUIRY_MESSAGES_PER_MINUTE = 2
    client = client_for(buyer)
    for text in ("One", "Two"):
        assert (
            client.post(
                "/api/v1/enquiries/", {"machine": listing.pk, "body": text}, format="json"
            ).status_code
            == 201
        )

    response = client.post("/api/v1/enquiries/", {"machine": listing.pk, "body": "Three"}, format="json")

    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert stored() == (1, 2)


# ------------------------------------------------------------------ the pages (without a browser)


def test_the_pages_answer_404_to_strangers_and_send_anonymous_to_log_in(
    client: Any, listing: Machine, buyer: User
) -> None:
    enquiry = services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")

    assert client.get(f"/enquiries/{enquiry.pk}/").status_code == 302
    assert client.post(f"/machines/{listing.pk}/enquire/", {"body": "Hi"}).status_code == 302
    client.force_login(UserFactory.create())
    assert client.get(f"/enquiries/{enquiry.pk}/").status_code == 404
    assert client.post(f"/enquiries/{enquiry.pk}/", {"body": "Hi"}).status_code == 404
    assert stored() == (1, 1)


def test_the_listing_page_keeps_a_refused_message_and_says_why(
    client: Any, listing: Machine, buyer: User
) -> None:
    client.force_login(buyer)

    response = client.post(f"/machines/{listing.pk}/enquire/", {"body": "   "})

    assert response.status_code == 400
    assert "Write a message of at most 4000 characters." in response.content.decode()
    assert stored() == (0, 0)

    sent = client.post(f"/machines/{listing.pk}/enquire/", {"body": "Hello there"})
    enquiry = Enquiry.objects.get()
    assert sent["Location"] == f"/enquiries/{enquiry.pk}/"


def test_the_header_count_is_not_read_by_pages_that_do_not_draw_it(
    client: Any, listing: Machine, buyer: User, django_assert_num_queries: Any
) -> None:
    services.enquiry_send(buyer=buyer, machine_id=listing.pk, body="Hello")
    client.force_login(listing.seller)

    page = client.get("/enquiries/").content.decode()

    assert "Messages (1)" in page
    with django_assert_num_queries(0):
        from marketplace.context_processors import viewer_switches

        viewer_switches(type("Request", (), {"user": listing.seller})())  # type: ignore[arg-type]
