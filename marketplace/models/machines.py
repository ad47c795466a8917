"""Listings: a machine for sale, its own spec values, photos, and buyers watching it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import Money


class MachineStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RESERVED = "reserved", _("Reserved")
    SOLD = "sold", _("Sold")
    IN_AUCTION = "in_auction", _("In auction")


# Statuses a buyer can see (search, detail page, watchlist).
VISIBLE_STATUSES = (
    MachineStatus.PUBLISHED,
    MachineStatus.RESERVED,
    MachineStatus.SOLD,
    MachineStatus.IN_AUCTION,
)
# Statuses of listings offered for sale: what search finds and the graph counts (a sold
# listing stays visible on its page, but is no longer offered).
SEARCHABLE_STATUSES = frozenset({MachineStatus.PUBLISHED, MachineStatus.RESERVED, MachineStatus.IN_AUCTION})


class Condition(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    NEEDS_REPAIR = "needs_repair", _("Needs repair")


class Machine(models.Model):
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="machines")
    model = models.ForeignKey("marketplace.MachineModel", on_delete=models.PROTECT, related_name="machines")
    year = models.PositiveSmallIntegerField()
    hours = models.PositiveIntegerField(null=True, blank=True, help_text="Operating hours on the meter")
    serial_number = models.CharField(max_length=80, blank=True)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.GOOD)
    country = models.ForeignKey("marketplace.Country", on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=120, blank=True)
    price_amount = models.BigIntegerField(help_text="Asking price in minor units of price_currency")
    price_currency = models.ForeignKey("marketplace.Currency", on_delete=models.PROTECT, related_name="+")
    # The asking price in the pivot currency's minor units, for sorting and price filters.
    price_pivot = models.BigIntegerField(db_index=True)
    status = models.CharField(
        max_length=12, choices=MachineStatus.choices, default=MachineStatus.DRAFT, db_index=True
    )
    title = models.JSONField(default=dict, help_text="By language: {lang: text}")
    description = models.JSONField(default=dict, blank=True, help_text="By language: {lang: text}")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="machine_status_published")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_amount__gt=0), name="machine_price_positive"),
            models.CheckConstraint(condition=models.Q(year__gte=1900), name="machine_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.display_title('en')}"

    def display_title(self, language: str) -> str:
        return str(self.title.get(language) or self.title.get("en") or next(iter(self.title.values()), ""))

    def display_description(self, language: str) -> str:
        return str(
            self.description.get(language)
            or self.description.get("en")
            or next(iter(self.description.values()), "")
        )

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.price_currency_id)

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES


class MachineSpecValue(models.Model):
    """A machine's own value for a spec: overrides the model's catalogue value or adds one."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="spec_values")
    definition = models.ForeignKey("marketplace.SpecDefinition", on_delete=models.PROTECT, related_name="+")
    value_number = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["machine", "definition"], name="unique_spec_per_machine")
        ]

    def __str__(self) -> str:
        return (
            f"{self.definition_id}={self.value_number if self.value_number is not None else self.value_text}"
        )


def photo_path(instance: Photo, filename: str) -> str:
    return f"machines/{instance.machine_id}/{filename}"


class Photo(models.Model):
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of machine {self.machine_id}"


class WatchlistEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist")
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="watchers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "machine"], name="unique_watch")]
        verbose_name_plural = "watchlist entries"

    def __str__(self) -> str:
        return f"user {self.user_id} watches machine {self.machine_id}"
