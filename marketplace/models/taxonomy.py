"""The catalogue taxonomy: categories (a tree), makers, models, and spec definitions with the
values a model carries from the maker's catalogue."""

from __future__ import annotations

from django.db import models


class Category(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    slug = models.SlugField(max_length=80, unique=True)
    names = models.JSONField(
        default=dict, help_text='By language: {"en": "Mini excavators", "ja": "ミニショベル"}'
    )
    # Slugs from the root down to this category; a filter on a parent matches every descendant.
    path = models.CharField(max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return str(self.names.get("en", self.slug))

    def name(self, language: str) -> str:
        return str(self.names.get(language) or self.names.get("en") or self.slug)

    @property
    def path_slugs(self) -> list[str]:
        return self.path.split("/")


class Maker(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True, help_text="Localised names where they differ")
    country = models.ForeignKey(
        "marketplace.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MachineModel(models.Model):
    maker = models.ForeignKey(Maker, on_delete=models.PROTECT, related_name="models")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="models")
    model_number = models.CharField(max_length=60)
    slug = models.SlugField(max_length=140, unique=True)
    production_start = models.PositiveSmallIntegerField(null=True, blank=True)
    production_end = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["maker__name", "model_number"]
        constraints = [
            models.UniqueConstraint(fields=["maker", "model_number"], name="unique_model_number_per_maker")
        ]
        verbose_name = "model"

    def __str__(self) -> str:
        return f"{self.maker.name} {self.model_number}"


class SpecCategory(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    names = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "spec categories"

    def __str__(self) -> str:
        return str(self.names.get("en", self.code))


class SpecKind(models.TextChoices):
    NUMBER = "number", "Number"
    ENUM = "enum", "Enumeration"
    TEXT = "text", "Text"


class SpecDefinition(models.Model):
    """One specification: its kind, canonical SI unit for numbers, allowed range or choices."""

    code = models.SlugField(max_length=60, unique=True)
    names = models.JSONField(default=dict)
    kind = models.CharField(max_length=8, choices=SpecKind.choices)
    unit = models.CharField(
        max_length=12, blank=True, help_text="Canonical SI unit of numbers: kg, m3, kW, m, km/h, L"
    )
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    choices = models.JSONField(
        default=list, blank=True, help_text='Enumerations: [{"code": "crawler", "names": {...}}]'
    )
    spec_category = models.ForeignKey(SpecCategory, on_delete=models.PROTECT, related_name="definitions")
    position = models.PositiveSmallIntegerField(default=0)
    machine_level = models.BooleanField(
        default=False, help_text="Varies per machine (attachments, hours) rather than per model"
    )

    class Meta:
        ordering = ["spec_category__position", "position", "code"]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return str(self.names.get(language) or self.names.get("en") or self.code)

    @property
    def choice_codes(self) -> list[str]:
        return [choice["code"] for choice in self.choices]


class ModelSpecValue(models.Model):
    model = models.ForeignKey(MachineModel, on_delete=models.CASCADE, related_name="spec_values")
    definition = models.ForeignKey(SpecDefinition, on_delete=models.PROTECT, related_name="+")
    value_number = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "definition"], name="unique_spec_per_model")]

    def __str__(self) -> str:
        return f"{self.definition.code}={self.value_number if self.value_number is not None else self.value_text}"
