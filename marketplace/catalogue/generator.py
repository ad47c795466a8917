"""Demo sellers, buyers and listings. Pure: no database; everything random comes from a
`random.Random` (a fixed one for the people, `Random(seed)` for the listings), and the only
clock input is the `as_of` moment the caller passes in."""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from marketplace.catalogue import text
from marketplace.catalogue.taxonomy import Catalogue, ModelPlan, Profile, weighted_choice

SELLERS_FILE = Path(__file__).parent / "data" / "sellers.json"
NANO = 1_000_000_000
LANGUAGE_BY_COUNTRY = {"JP": "ja", "CN": "zh", "DE": "de", "FR": "fr"}
BUYER_LANGUAGES = {
    "en": ("US", "USD", 3),
    "ja": ("JP", "JPY", 3),
    "zh": ("CN", "CNY", 2),
    "de": ("DE", "EUR", 1),
    "fr": ("FR", "EUR", 1),
}
# Sellers mostly list machines of their own country's makers.
HOME_MAKER_PREFERENCE = 3.0
DRAFT_SHARE = 0.05
SOLD_SHARE = 0.03
MAX_AGE_YEARS = 20
PUBLICATION_WINDOW = timedelta(days=540)
CONDITION_FACTOR = {"excellent": 1.1, "good": 1.0, "fair": 0.85, "needs_repair": 0.6}


@dataclass(frozen=True, slots=True)
class Region:
    names: text.Trio

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class SellerPlan:
    username: str
    company_name: str
    country: str
    language: str
    currency: str
    regions: tuple[Region, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class BuyerPlan:
    username: str
    country: str
    language: str
    currency: str


@dataclass(frozen=True, slots=True)
class Rate:
    minor_units: int
    rate_to_pivot_nano: int


@dataclass(frozen=True, slots=True)
class MachinePlan:
    seller: str
    model: str
    year: int
    hours: int | None
    serial_number: str
    condition: str
    country: str
    region: str
    price_amount: int
    price_currency: str
    price_pivot: int
    status: str
    title: dict[str, str]
    description: dict[str, str]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    # (definition code, number, text) of the machine's own spec values
    specs: tuple[tuple[str, float | None, str], ...]


def plan_sellers() -> tuple[SellerPlan, ...]:
    """The demo sellers: fixed (not seeded), so every run finds the same accounts."""
    rng = random.Random("sellers")
    sellers: list[SellerPlan] = []
    for country, row in json.loads(SELLERS_FILE.read_text(encoding="utf-8")).items():
        # [en, ja, zh] where the region has its own Japanese and Chinese name, else [en]
        regions = tuple(
            Region((names[0], names[1], names[2]) if len(names) == 3 else (names[0],) * 3)
            for names in row["regions"]
        )
        companies = [
            pattern.format(name=name)
            for name in row["companies"]["names"]
            for pattern in row["companies"]["patterns"]
        ]
        for number, company in enumerate(rng.sample(companies, row["sellers"]), start=1):
            sellers.append(
                SellerPlan(
                    username=f"seller-{country.lower()}-{number:03d}",
                    company_name=company,
                    country=country,
                    language=LANGUAGE_BY_COUNTRY.get(country, "en"),
                    currency=row["currency"],
                    regions=regions,
                    # a few large dealers and many small ones
                    weight=round(rng.lognormvariate(0, 0.8), 3),
                )
            )
    return tuple(sellers)


def plan_buyers() -> tuple[BuyerPlan, ...]:
    return tuple(
        BuyerPlan(
            username=f"buyer-{language}-{number:03d}", country=country, language=language, currency=currency
        )
        for language, (country, currency, count) in BUYER_LANGUAGES.items()
        for number in range(1, count + 1)
    )


def to_pivot(amount: int, rate: Rate) -> int:
    """Same rounding as `marketplace.money.to_pivot` (half-even), in integers."""
    quotient, remainder = divmod(amount * rate.rate_to_pivot_nano, NANO)
    if remainder * 2 > NANO or (remainder * 2 == NANO and quotient % 2):
        quotient += 1
    return quotient


def asking_price(euros: float, rate: Rate) -> int:
    """Euros → minor units of the currency, rounded to three significant digits of the major unit."""
    minor_per_major = int(10**rate.minor_units)
    major = euros * 100 * NANO / rate.rate_to_pivot_nano / minor_per_major
    step = int(10 ** max(0, math.floor(math.log10(max(major, 1))) - 2))
    return max(step, round(major / step) * step) * minor_per_major


def serial_number(rng: random.Random, style: str, wmi: str, model_number: str) -> str:
    if style == "pin":
        code = "".join(character for character in model_number.upper() if character.isalnum())[:4].ljust(
            4, "0"
        )
        letters = "".join(rng.choices(string.ascii_uppercase, k=2))
        return f"{wmi}0{code}{letters}{rng.randrange(10**6, 10**7)}"
    if style == "prefixed":
        letters = "".join(rng.choices(string.ascii_uppercase, k=2))
        return f"{letters}{rng.randrange(10, 100)}-{rng.randrange(10**4, 10**5)}"
    return str(rng.randrange(10**4, 4 * 10**5))


class ListingGenerator:
    """Draws listings for `sellers` from the catalogue's models. `as_of` is the moment the
    listings are as new as; machines are built at least 60 days before it."""

    def __init__(
        self,
        catalogue: Catalogue,
        sellers: Sequence[SellerPlan],
        rates: Mapping[str, Rate],
        country_names: Mapping[str, Mapping[str, str]],
        *,
        as_of: datetime,
    ) -> None:
        self.catalogue = catalogue
        self.sellers = list(sellers)
        self.rates = rates
        self.as_of = as_of
        self.latest_year = (as_of - timedelta(days=60)).year
        self.countries = {
            code: (
                names.get("en", code),
                names.get("ja", names.get("en", code)),
                names.get("zh", names.get("en", code)),
            )
            for code, names in country_names.items()
        }
        self.seller_cumulative = list(itertools.accumulate(seller.weight for seller in self.sellers))
        self.models = [model for model in catalogue.models if model.production_start <= self.latest_year]
        self.model_cumulative = {
            country: self._model_weights(country)
            for country in sorted({seller.country for seller in self.sellers})
        }

    def _model_weights(self, country: str) -> list[float]:
        """Cumulative weights: a category's share spread over its models, favouring home makers
        and, stably per model, some popular ones."""
        per_category: dict[str, int] = {}
        for model in self.models:
            per_category[model.category] = per_category.get(model.category, 0) + 1
        weights = []
        for model in self.models:
            category = self.catalogue.category_by_slug[model.category]
            popularity = random.Random(f"popularity:{model.slug}").lognormvariate(0, 0.6)
            home = (
                HOME_MAKER_PREFERENCE if self.catalogue.maker_by_slug[model.maker].country == country else 1.0
            )
            weights.append(category.weight / per_category[model.category] * popularity * home)
        return list(itertools.accumulate(weights))

    def generate(self, count: int, seed: int) -> Iterator[MachinePlan]:
        rng = random.Random(seed)
        for _ in range(count):
            yield self._machine(rng)

    def _pick(self, rng: random.Random, cumulative: list[float]) -> int:
        return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])

    def _machine(self, rng: random.Random) -> MachinePlan:
        seller = self.sellers[self._pick(rng, self.seller_cumulative)]
        model = self.models[self._pick(rng, self.model_cumulative[seller.country])]
        category = self.catalogue.category_by_slug[model.category]
        profile = self.catalogue.profiles[category.profile or ""]
        maker = self.catalogue.maker_by_slug[model.maker]
        year = self._year(rng, model)
        age = max(1, self.as_of.year - year) - rng.random() * 0.5
        hours = None
        if profile.hours_per_year:
            low, high = profile.hours_per_year
            hours = max(5, int(age * rng.uniform(low, high)))
        condition = self._condition(rng, self.as_of.year - year)
        region = rng.choice(seller.regions)
        rate = self.rates[seller.currency]
        price = asking_price(self._value_eur(rng, model, profile, age, hours, condition), rate)
        status, created_at, updated_at, published_at = self._dates(rng, year)
        specs, attachments, air_conditioning, blade = self._machine_specs(rng, model, profile)
        facts = text.ListingFacts(
            year=year,
            maker=(maker.name, maker.names.get("ja", maker.name), maker.names.get("zh", maker.name)),
            model_number=model.model_number,
            noun=(category.noun["en"], category.noun["ja"], category.noun["zh"]),
            hours=hours,
            condition=condition,
            region=region.names,
            country=self.countries[seller.country],
            attachments=attachments,
            cab=str(model.specs["cab"]) if "cab" in model.specs else None,
            air_conditioning=air_conditioning,
            blade=blade,
            wear=profile.wear,
        )
        return MachinePlan(
            seller=seller.username,
            model=model.slug,
            year=year,
            hours=hours,
            serial_number=serial_number(rng, maker.serial_style, maker.wmi, model.model_number),
            condition=condition,
            country=seller.country,
            region=region.name,
            price_amount=price,
            price_currency=seller.currency,
            price_pivot=to_pivot(price, rate),
            status=status,
            title=text.title(facts),
            description=text.description(facts, rng),
            created_at=created_at,
            updated_at=updated_at,
            published_at=published_at,
            specs=specs,
        )

    def _year(self, rng: random.Random, model: ModelPlan) -> int:
        newest = min(model.production_end or self.latest_year, self.latest_year)
        oldest = max(model.production_start, newest - MAX_AGE_YEARS)
        # Half-normal from the newest year: most used machines on sale are a few years old.
        return max(oldest, newest - int(abs(rng.gauss(0, (newest - oldest + 1) * 0.5))))

    @staticmethod
    def _condition(rng: random.Random, age: int) -> str:
        if age <= 3:
            weights = {"excellent": 45, "good": 45, "fair": 8, "needs_repair": 2}
        elif age <= 10:
            weights = {"excellent": 15, "good": 55, "fair": 25, "needs_repair": 5}
        else:
            weights = {"excellent": 5, "good": 45, "fair": 40, "needs_repair": 10}
        return weighted_choice(rng, weights)

    @staticmethod
    def _value_eur(
        rng: random.Random, model: ModelPlan, profile: Profile, age: float, hours: int | None, condition: str
    ) -> float:
        value = model.new_price_eur * float(profile.depreciation**age)
        if hours is not None and profile.hours_per_year:
            expected = age * sum(profile.hours_per_year) / 2
            value *= min(1.15, max(0.75, 1 - 0.15 * (hours - expected) / max(expected, 1.0)))
        value *= CONDITION_FACTOR[condition] * rng.uniform(0.9, 1.1)
        return max(value, model.new_price_eur * 0.08)

    def _dates(self, rng: random.Random, year: int) -> tuple[str, datetime, datetime, datetime | None]:
        built = datetime(year, 1, 1, tzinfo=self.as_of.tzinfo) + timedelta(days=30)
        draw = rng.random()
        if draw < DRAFT_SHARE:
            start = max(self.as_of - timedelta(days=120), built)
            created = start + timedelta(seconds=rng.randrange(int((self.as_of - start).total_seconds())))
            return "draft", created, created, None
        start = max(self.as_of - PUBLICATION_WINDOW, built)
        published = start + timedelta(seconds=rng.randrange(int((self.as_of - start).total_seconds())))
        created = published - timedelta(seconds=rng.randrange(3 * 86400))
        if draw < DRAFT_SHARE + SOLD_SHARE:
            sold = min(self.as_of, published + timedelta(seconds=rng.randrange(60 * 86400)))
            return "sold", created, sold, published
        return "published", created, published, published

    def _machine_specs(
        self, rng: random.Random, model: ModelPlan, profile: Profile
    ) -> tuple[tuple[tuple[str, float | None, str], ...], tuple[str, ...], str | None, str | None]:
        specs: list[tuple[str, float | None, str]] = []
        attachments: tuple[str, ...] = ()
        if profile.attachments and rng.random() < 0.55:
            attachments = tuple(
                rng.sample(profile.attachments, k=min(len(profile.attachments), rng.randint(1, 3)))
            )
            specs.append(("attachments", None, ", ".join(attachments)))
        air_conditioning = None
        if "cab" in model.specs:
            air_conditioning = "yes" if model.specs["cab"] == "closed_cab" and rng.random() < 0.85 else "no"
            specs.append(("air_conditioning", None, air_conditioning))
        blade = None
        if profile.blade:
            blade = weighted_choice(rng, profile.blade)
            specs.append(("blade", None, blade))
        if profile.override and profile.override in model.specs and rng.random() < 0.07:
            definition = self.catalogue.definition_by_code[profile.override]
            catalogue_value = float(model.specs[profile.override])
            # a different bucket fitted than the catalogue's standard one
            value = definition.clamp(
                round(catalogue_value * rng.uniform(0.8, 1.25), 3 if catalogue_value < 0.1 else 2)
            )
            specs.append((profile.override, value, ""))
        return tuple(specs), attachments, air_conditioning, blade
