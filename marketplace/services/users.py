from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from marketplace.models import Country, Language, User
from marketplace.services.validation import FieldErrors


@transaction.atomic
def user_register(
    *,
    username: Any,
    password: Any,
    email: Any,
    primary_language: Any = "en",
    is_seller: Any = False,
    company_name: Any = "",
    country: Any = None,
) -> User:
    errors = FieldErrors()
    if not isinstance(username, str) or not username.strip() or len(username) > 150:
        errors.add("username", "Required, at most 150 characters.")
    elif User.objects.filter(username__iexact=username).exists():
        errors.add("username", "This username is taken.")
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", "Enter a valid email address.")
    if not isinstance(primary_language, str) or not Language.objects.filter(code=primary_language).exists():
        errors.add("primary_language", "Unknown language.")
    if not isinstance(is_seller, bool):
        errors.add("is_seller", "Must be true or false.")
    if is_seller is True:
        if not isinstance(company_name, str) or not company_name.strip():
            errors.add("company_name", "Sellers need a company name.")
        if not isinstance(country, str) or not Country.objects.filter(code=country).exists():
            errors.add("country", "Sellers need a known country (ISO 3166-1 alpha-2).")
    if not isinstance(password, str):
        errors.add("password", "Required.")
    else:
        try:
            validate_password(password, User(username=str(username), email=str(email)))
        except ValidationError as error:
            for message in error.messages:
                errors.add("password", message)
    errors.raise_if_any()
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
    return user
