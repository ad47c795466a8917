"""The bell and the notifications page: the header's unread count on every page, its stream
(alerts/live.py) over a real ASGI server, the page listing a person's notifications with
their sentences in the page's language, and marking them read."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from django.db import transaction
from django.test import Client

from alerts.models import Notification
from alerts.selectors import MAX_LISTED, PAGE_SIZE, unread_count
from alerts.services import Draft, notifications_mark_read, notify
from bench.common import asgi_server
from tests.auctions.test_live_page import server_environment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user_id: int, key: str, title: str = "PC200-8", price: str = "€1,500.00") -> None:
    with transaction.atomic():
        notify(
            [
                Draft(
                    user_id=user_id,
                    kind="outbid",
                    dedupe_key=key,
                    link="/auctions/1/",
                    params={"title": {"en": title, "ja": f"{title} ja"}, "price": price},
                )
            ]
        )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(lines: Any) -> Any:
    for line in lines:
        if line.startswith("data: "):
            yield json.loads(line.removeprefix("data: "))


@pytest.mark.django_db(transaction=True)
def test_the_stream_sends_the_count_and_the_newest_sentence_as_they_change() -> None:
    buyer, other = UserFactory.create_batch(2)
    tell(buyer.pk, "before")
    cookies = {"sessionid": signed_in(buyer).cookies["sessionid"].value, "django_language": "ja"}
    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        url = f"{base}/notifications/stream/"
        assert httpx.get(url, timeout=15).status_code == 401
        with httpx.stream("GET", url, cookies=cookies, timeout=httpx.Timeout(15)) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            received = events(response.iter_lines())
            first = next(received)
            assert first["unread"] == 1
            assert (
                first["newest"]["sentence"]
                == "PC200-8 ja \u3067\u4e0a\u56de\u308b\u5165\u672d\u304c\u3042\u308a\u307e\u3057\u305f: \u73fe\u5728 \u20ac1,500.00"
            )

            tell(other.pk, "someone-else")  # another person's bell: nothing here
            tell(buyer.pk, "after", title="ZX200")
            second = next(received)
            assert second["unread"] == 2
            assert second["newest"]["link"] == "/auctions/1/"
            assert "ZX200" in second["newest"]["sentence"]

            notifications_mark_read(user_id=buyer.pk)
            assert next(received) == {"unread": 0, "newest": None}


@pytest.mark.django_db(transaction=True)  # an async view under the test client closes its connection
def test_wsgi_refuses_the_stream_and_a_visitor_has_no_bell(client: Client) -> None:
    buyer = UserFactory.create()
    assert client.get("/notifications/stream/").status_code == 401
    assert 'data-testid="bell"' not in client.get("/").content.decode()
    response = signed_in(buyer).get("/notifications/stream/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_the_header_counts_the_unread_on_every_page() -> None:
    buyer = UserFactory.create()
    tell(buyer.pk, "one")
    tell(buyer.pk, "two")
    client = signed_in(buyer)
    for path in ("/", "/auctions/", "/watchlist/", "/notifications/"):
        page = client.get(path).content.decode()
        assert 'data-testid="bell-count" data-count="2"' in page, path
        assert 'aria-label="Notifications, 2 unread"' in page


def test_the_page_lists_them_newest_first_and_marks_one_or_all_read() -> None:
    buyer, other = UserFactory.create_batch(2)
    tell(buyer.pk, "old", title="Old machine")
    tell(buyer.pk, "new", title="New machine")
    tell(other.pk, "theirs", title="Not yours")
    client = signed_in(buyer)
    page = client.get("/notifications/").content.decode()
    newer = 'You were outbid on <span translate="no">New machine</span>: now'
    assert page.index(newer) < page.index('You were outbid on <span translate="no">Old machine</span>')
    assert "Not yours" not in page

    newest = Notification.objects.get(user=buyer, dedupe_key="new")
    client.post("/notifications/read/", {"id": newest.pk})
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert unread_count(buyer.pk) == 1

    theirs = Notification.objects.get(user=other)
    client.post("/notifications/read/", {"id": theirs.pk})  # another person's: nothing changes
    theirs.refresh_from_db()
    assert theirs.read_at is None

    response = client.post("/notifications/read/", {"all": "1", "page": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    assert unread_count(buyer.pk) == 0
    assert unread_count(other.pk) == 1


def test_marking_read_needs_a_post_with_its_csrf_token() -> None:
    buyer = UserFactory.create()
    tell(buyer.pk, "one")
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert client.get("/notifications/read/").status_code == 405
    assert client.post("/notifications/read/", {"all": "1"}).status_code == 403
    assert unread_count(buyer.pk) == 1


def test_opening_a_notification_marks_it_read_and_follows_its_link() -> None:
    buyer, other = UserFactory.create_batch(2)
    tell(buyer.pk, "one")
    notification = Notification.objects.get(user=buyer)
    assert signed_in(other).get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None

    response = signed_in(buyer).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/auctions/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_off_the_site_is_not_followed() -> None:
    buyer = UserFactory.create()
    with transaction.atomic():
        notify([Draft(user_id=buyer.pk, kind="listing_sold", dedupe_key="x", link="//evil.example/")])
    notification = Notification.objects.get(user=buyer)
    assert signed_in(buyer).get(f"/notifications/{notification.pk}/")["Location"] == "/notifications/"


def test_the_page_is_paged_and_bounded() -> None:
    buyer = UserFactory.create()
    with transaction.atomic():
        notify(
            [
                Draft(
                    user_id=buyer.pk,
                    kind="listing_sold",
                    dedupe_key=f"k{i}",
                    link="/",
                    params={"title": f"M{i}"},
                )
                for i in range(PAGE_SIZE + 5)
            ]
        )
    client = signed_in(buyer)
    first = client.get("/notifications/").content.decode()
    assert first.count('class="notification unread"') == PAGE_SIZE
    assert f'<span translate="no">M{PAGE_SIZE + 4}</span> has been sold' in first
    last = client.get("/notifications/?page=999").content.decode()  # past the end: the last page
    assert last.count('class="notification unread"') == 5
    assert '<span translate="no">M0</span> has been sold' in last
    assert MAX_LISTED >= PAGE_SIZE


def test_the_page_speaks_japanese_and_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")
    buyer = UserFactory.create(primary_language_id="ja")
    tell(buyer.pk, "one")
    page = signed_in(buyer).get("/notifications/?lang=ja").content.decode()
    assert '<span translate="no">PC200-8 ja</span>' in page
    assert "Mark all read" not in page
    assert "\u3059\u3079\u3066\u65e2\u8aad\u306b\u3059\u308b" in page  # mark all read
    assert "You were outbid" not in page


def test_what_people_wrote_is_escaped_on_the_page() -> None:
    buyer = UserFactory.create()
    tell(buyer.pk, "x", title="<script>alert(1)</script>")
    page = signed_in(buyer).get("/notifications/").content.decode()
    assert '<span translate="no">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page
    assert "<script>alert(1)" not in page
