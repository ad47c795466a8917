"""EMAIL_URL: one variable for Django's email settings, refused clearly when it is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import email_settings


def test_an_smtp_url_with_starttls_and_credentials() -> None:
    assert email_settings("smtp://alerts%40market:p%3Ass@mail.example.com:587?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "alerts@market",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10.0,
    }


def test_ssl_file_and_console_urls() -> None:
    ssl = email_settings("smtp+ssl://mail.example.com")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    assert email_settings("file:///srv/mail") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/srv/mail",
    }
    assert email_settings("console:")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("imap://mail.example.com", "must start smtp://"),
        ("smtp://", "names no host"),
        ("smtp+ssl://mail.example.com?tls=1", "both SSL and STARTTLS"),
        ("smtp://mail.example.com:notaport", "invalid port"),
        ("file://", "names no folder"),
    ],
)
def test_a_wrong_url_is_refused_naming_the_problem(url: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=says):
        email_settings(url)
