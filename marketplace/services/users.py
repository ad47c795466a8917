"""Accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ConflictError, UnprocessableError
from events import producers as events
from events.emit import acting
from marketplace.models import Country, Language, User


@transaction.atomic
def user_register(
    *,
    username: str,
    password: str,
    email: str,
    primary_language: str = "en",
    is_seller: bool = False,
    company_name: str = "",
    country: str | None = None,
) -> User:
    """A new buyer, or a seller with a company and a country. The username is unique whatever
    its case; the password must pass the site's password rules."""
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ConflictError(
            "This username is taken.", fields={"username": ["This username is taken."]}, code="username_taken"
        )
    fields: dict[str, list[str]] = {}
    if not Language.objects.filter(code=primary_language).exists():
        fields["primary_language"] = ["Is not a language this service knows."]
    if is_seller:
        if not company_name.strip():
            fields["company_name"] = ["Sellers need a company name."]
        if country is None or not Country.objects.filter(code=country).exists():
            fields["country"] = ["Sellers need a known country (ISO 3166-1 alpha-2)."]
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as error:
        fields["password"] = list(error.messages)
    if fields:
        raise UnprocessableError("The account cannot be made as given.", fields=fields, code="unprocessable")
    user = User(
        username=username.strip(),
        email=email,
        primary_language_id=primary_language,
        is_seller=is_seller,
        company_name=company_name.strip() if is_seller else "",
        country_id=country if is_seller else None,
    )
    user.set_password(password)
    user.save()
    events.user_registered(
        user_id=user.pk,
        is_seller=is_seller,
        language=primary_language,
        country=user.country_id,
        actor=acting(user.pk),
    )
    return user
