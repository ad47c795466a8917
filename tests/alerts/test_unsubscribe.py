"""One-click unsubscribe without login: a signed token per person and kind; GET asks, POST
(also the mail client's RFC 8058 POST, without a CSRF token) turns that kind's email off;
a bad or tampered token changes nothing and says so with a 400."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from alerts.kinds import Email
from alerts.mail import UNSUBSCRIBE_SALT, unsubscribe_token
from alerts.models import AlertSettings, Preference
from alerts.preferences import ALL_KINDS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def link(token: str) -> str:
    return reverse("alerts-unsubscribe", kwargs={"token": token})


def test_get_asks_and_post_turns_the_kinds_email_off() -> None:
    buyer = UserFactory.create()
    Preference.objects.create(user=buyer, kind="outbid", site=True, email=Email.IMMEDIATE)
    url = link(unsubscribe_token(user_id=buyer.pk, kind="outbid"))
    client = Client(enforce_csrf_checks=True)

    asked = client.get(url)
    assert asked.status_code == 200
    assert b'<form method="post"' in asked.content
    assert Preference.objects.get(user=buyer, kind="outbid").email == Email.IMMEDIATE

    done = client.post(url)
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    preference = Preference.objects.get(user=buyer, kind="outbid")
    assert (preference.email, preference.site) == (Email.OFF, True)
    assert Preference.objects.filter(user=buyer).count() == 1  # other kinds untouched
    assert client.post(url).status_code == 200  # twice is once


def test_the_digests_link_stops_every_email() -> None:
    buyer = UserFactory.create()
    Client(enforce_csrf_checks=True).post(link(unsubscribe_token(user_id=buyer.pk, kind=ALL_KINDS)))
    assert AlertSettings.objects.get(user=buyer).email_enabled is False


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "tampered",
        "other-salt",
        "unknown-kind",
    ],
)
def test_a_bad_or_tampered_token_changes_nothing_and_answers_400(token: str) -> None:
    buyer = UserFactory.create()
    good = unsubscribe_token(user_id=buyer.pk, kind="outbid")
    tokens = {
        "garbage": "not-a-token",
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "other-salt": signing.dumps([buyer.pk, "outbid"], salt="somewhere.else", compress=True),
        "unknown-kind": signing.dumps([buyer.pk, "gossip"], salt=UNSUBSCRIBE_SALT, compress=True),
    }
    client = Client(enforce_csrf_checks=True)

    for method in (client.get, client.post):
        response = method(link(tokens[token]))
        assert response.status_code == 400
        assert b"This unsubscribe link is not valid" in response.content
    assert not Preference.objects.exists()
    assert not AlertSettings.objects.exists()


def test_only_the_unsubscribe_view_skips_the_csrf_check() -> None:
    buyer = UserFactory.create()
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    response = client.post(reverse("alerts-preferences"), {"timezone": "UTC", "digest_time": "08:00"})
    assert response.status_code == 403
    assert not AlertSettings.objects.exists()
