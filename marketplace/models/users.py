from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class UnitSystem(models.TextChoices):
    METRIC = "metric", "Metric"
    IMPERIAL = "imperial", "Imperial"


class User(AbstractUser):
    """A buyer, or a seller when `is_seller` (sellers carry a company and a country)."""

    primary_language = models.ForeignKey(
        "marketplace.Language", on_delete=models.PROTECT, default="en", related_name="+"
    )
    unit_system = models.CharField(max_length=8, choices=UnitSystem.choices, default=UnitSystem.METRIC)
    display_currency = models.ForeignKey(
        "marketplace.Currency", on_delete=models.PROTECT, default="EUR", related_name="+"
    )
    is_seller = models.BooleanField(default=False)
    company_name = models.CharField(max_length=200, blank=True)
    country = models.ForeignKey(
        "marketplace.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.company_name or self.username
