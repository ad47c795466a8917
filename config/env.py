"""Twelve-factor settings: every value comes from the environment, with a safe local default.

A setting with no default that is missing stops startup with a message naming it, rather than
failing later in some request.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def env_str(name: str, default: str | object = _MISSING) -> str:
    value = os.environ.get(name)
    if value is not None and value != "":
        return value
    if default is _MISSING:
        raise ImproperlyConfigured(f"The environment variable {name} is required and not set.")
    return str(default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def email_settings(url: str) -> dict[str, object]:
    """Django's email settings from one URL: `smtp://user:pass@host:587?tls=1`,
    `smtp+ssl://user:pass@host:465`, `file:///var/mail`, `console:`, `locmem:`."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"EMAIL_URL {url!r} names no folder (file:///path/to/folder).")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if scheme not in {"smtp", "smtp+ssl", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start smtp://, smtp+ssl://, file://, console: or locmem:, not {url!r}."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL {url!r} names no host.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = scheme != "smtp" or query.get("ssl", "").lower() in {"1", "true", "yes"}
    tls = query.get("tls", "").lower() in {"1", "true", "yes"}
    if ssl and tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both SSL and STARTTLS; choose one.")
    try:
        port = parts.port or (465 if ssl else 587 if tls else 25)
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL {url!r} has an invalid port.") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": float(query.get("timeout", "10")),
    }
