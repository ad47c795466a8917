"""Reference data kept as rows, not code: languages, currencies (with a rate to the pivot
currency used for sorting and filtering by price) and countries."""

from __future__ import annotations

from django.db import models


class Language(models.Model):
    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=64)
    native_name = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.native_name} ({self.code})"


class Currency(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=64)
    minor_units = models.PositiveSmallIntegerField(help_text="Digits after the decimal point (JPY 0, EUR 2).")
    # Pivot-currency minor units per one minor unit of this currency, fixed-point times 1e9 so
    # conversions stay integer arithmetic.
    rate_to_pivot_nano = models.BigIntegerField()
    symbol = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self) -> str:
        return self.code


class Country(models.Model):
    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2")
    names = models.JSONField(default=dict, help_text='Names by language, e.g. {"en": "Japan", "ja": "日本"}')

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return str(self.names.get("en", self.code))
