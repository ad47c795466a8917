"""factory_boy factories writing real rows to the test PostgreSQL database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from auctions.models import Auction
from auctions.services import auction_create
from core.money import Money
from marketplace.models import (
    Category,
    Machine,
    MachineModel,
    MachineStatus,
    Maker,
    ModelSpecValue,
    SpecCategory,
    SpecDefinition,
    SpecKind,
    User,
)
from marketplace.money import to_pivot

PASSWORD = "a-long-test-password-9"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"buyer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    primary_language_id = "en"

    @factory.post_generation
    def password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class SellerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"seller{n}")
    is_seller = True
    company_name = factory.Sequence(lambda n: f"Heavy Iron {n} Ltd")
    country_id = "JP"
    primary_language_id = "ja"


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    names = factory.LazyAttribute(lambda c: {"en": c.slug.replace("-", " ").title(), "ja": "カテゴリー"})
    path = factory.LazyAttribute(lambda c: f"{c.parent.path}/{c.slug}" if c.parent else c.slug)
    depth = factory.LazyAttribute(lambda c: c.parent.depth + 1 if c.parent else 0)
    parent = None


class MakerFactory(factory.django.DjangoModelFactory[Maker]):
    class Meta:
        model = Maker
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"maker-{n}")
    name = factory.LazyAttribute(lambda m: m.slug.title())


class MachineModelFactory(factory.django.DjangoModelFactory[MachineModel]):
    class Meta:
        model = MachineModel

    maker = factory.SubFactory(MakerFactory)
    category = factory.SubFactory(CategoryFactory)
    model_number = factory.Sequence(lambda n: f"PC{200 + n}-8")
    slug = factory.LazyAttribute(lambda m: f"{m.maker.slug}-{m.model_number.lower()}")
    production_start = 2005


def spec_taxonomy() -> dict[str, SpecDefinition]:
    """The spec definitions the tests rely on (codes as in the demo catalogue)."""
    dimensions, _ = SpecCategory.objects.get_or_create(
        code="dimensions", defaults={"names": {"en": "Dimensions"}, "position": 1}
    )
    engine, _ = SpecCategory.objects.get_or_create(
        code="engine", defaults={"names": {"en": "Engine"}, "position": 2}
    )
    rows = [
        ("operating_weight", SpecKind.NUMBER, "kg", 100, 1_000_000, dimensions, []),
        ("bucket_capacity", SpecKind.NUMBER, "m3", 0.01, 50, dimensions, []),
        ("engine_power", SpecKind.NUMBER, "kW", 1, 2000, engine, []),
        (
            "undercarriage",
            SpecKind.ENUM,
            "",
            None,
            None,
            dimensions,
            [
                {"code": "crawler", "names": {"en": "Crawler", "ja": "クローラ"}},
                {"code": "wheeled", "names": {"en": "Wheeled", "ja": "ホイール"}},
            ],
        ),
        ("attachments", SpecKind.TEXT, "", None, None, dimensions, []),
    ]
    definitions = {}
    for position, (code, kind, unit, low, high, category, choices) in enumerate(rows):
        definitions[code], _ = SpecDefinition.objects.get_or_create(
            code=code,
            defaults={
                "names": {"en": code.replace("_", " ").capitalize()},
                "kind": kind,
                "unit": unit,
                "min_value": low,
                "max_value": high,
                "spec_category": category,
                "choices": choices,
                "position": position,
            },
        )
    return definitions


def model_with_specs(**overrides: Any) -> MachineModel:
    definitions = spec_taxonomy()
    model = MachineModelFactory.create(**overrides)
    ModelSpecValue.objects.create(model=model, definition=definitions["operating_weight"], value_number=20500)
    ModelSpecValue.objects.create(model=model, definition=definitions["engine_power"], value_number=110)
    ModelSpecValue.objects.create(model=model, definition=definitions["undercarriage"], value_text="crawler")
    return model


class MachineFactory(factory.django.DjangoModelFactory[Machine]):
    class Meta:
        model = Machine

    seller = factory.SubFactory(SellerFactory)
    model = factory.SubFactory(MachineModelFactory)
    year = 2016
    hours = 6200
    country_id = "JP"
    price_amount = 8_800_000
    price_currency_id = "JPY"
    price_pivot = factory.LazyAttribute(lambda m: to_pivot(m.price_amount, m.price_currency_id))
    status = MachineStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    title = factory.LazyAttribute(
        lambda m: {"en": f"{m.year} {m.model} excavator", "ja": f"{m.model} 油圧ショベル"}
    )
    description = factory.LazyFunction(lambda: {"en": "Well maintained."})


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def open_auction(
    *,
    machine: Machine | None = None,
    seconds: float = 3600,
    kind: str = "soft_close",
    extension: int = 60,
    starting: int = 100_000,
    reserve: int | None = None,
    currency: str = "EUR",
    started_seconds_ago: float = 5,
) -> Auction:
    """An auction running now on a published listing (a new one unless `machine` is given),
    put up by its seller through the service."""
    machine = machine or MachineFactory.create(model=model_with_specs())
    now = timezone.now()
    return auction_create(
        seller=machine.seller,
        machine_id=machine.pk,
        kind=kind,
        starts_at=now - timedelta(seconds=started_seconds_ago),
        ends_at=now + timedelta(seconds=seconds),
        extension_seconds=extension if kind == "soft_close" else 0,
        starting_price=Money(starting, currency),
        reserve_price=Money(reserve, currency) if reserve is not None else None,
    )
