from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

from marketplace.money import format_money

register = template.Library()


@register.filter
def money(price: dict[str, Any]) -> str:
    """The API's money shape ({"minor": …, "currency": …}) → "¥8,800,000" / "$52,000.00"."""
    return format_money(int(price["minor"]), str(price["currency"]))


@register.simple_tag
def daily_chart(values: list[float], label: str, height: int = 24, width: int = 3) -> str:
    """A small bar chart of daily figures (oldest first), drawn as SVG: one bar a day, the
    busiest day full height; `label` says in words what it shows."""
    gap = 1
    most = max(values, default=0) or 1
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"></rect>',
        (
            (index * (width + gap), height - tall, width, tall)
            for index, tall in enumerate(
                max(1, round(height * value / most)) if value else 1 for value in values
            )
        ),
    )
    return format_html(
        '<svg class="daily-chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">{}</svg>',
        len(values) * (width + gap) - gap,
        height,
        len(values) * (width + gap) - gap,
        height,
        label,
        bars,
    )
