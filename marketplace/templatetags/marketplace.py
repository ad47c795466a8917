from __future__ import annotations

from typing import Any

from django import template

from marketplace.money import format_money

register = template.Library()


@register.filter
def money(price: dict[str, Any]) -> str:
    """The API's money shape ({"minor": …, "currency": …}) → "¥8,800,000" / "$52,000.00"."""
    return format_money(int(price["minor"]), str(price["currency"]))
