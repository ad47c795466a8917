"""Listing titles and descriptions in English, Japanese and Chinese, from the sentence templates
in `data/texts.json`. Every language says the same things, so search finds a listing by the
trade words of each (excavator / 油圧ショベル / 挖掘机)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "ja", "zh")
TEXTS_FILE = Path(__file__).parent / "data" / "texts.json"

# (en, ja, zh) of one sentence or one name
Trio = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """What a listing's text mentions, each name already in the three languages."""

    year: int
    maker: Trio
    model_number: str
    noun: Trio
    hours: int | None
    condition: str
    region: Trio
    country: Trio
    attachments: tuple[str, ...]
    cab: str | None
    air_conditioning: str | None
    blade: str | None
    wear: str | None


def _trio(row: list[str]) -> Trio:
    return row[0], row[1], row[2]


@dataclass(frozen=True)
class Templates:
    attachments: dict[str, Trio]
    intro: tuple[Trio, ...]
    intro_without_hours: tuple[Trio, ...]
    condition: dict[str, tuple[Trio, ...]]
    defects: tuple[Trio, ...]
    maintenance: tuple[Trio, ...]
    wear: dict[str, Trio]
    attachments_sentence: tuple[Trio, ...]
    air_conditioning: Trio
    canopy: Trio
    blade: dict[str, Trio]
    place: dict[str, Trio]
    location: tuple[Trio, ...]
    closing: tuple[Trio, ...]


@cache
def templates() -> Templates:
    data: dict[str, Any] = json.loads(TEXTS_FILE.read_text(encoding="utf-8"))
    return Templates(
        attachments={en: (en, ja, zh) for en, (ja, zh) in data["attachments"].items()},
        intro=tuple(map(_trio, data["intro"])),
        intro_without_hours=tuple(map(_trio, data["intro_without_hours"])),
        condition={key: tuple(map(_trio, rows)) for key, rows in data["condition"].items()},
        defects=tuple(map(_trio, data["defects"])),
        maintenance=tuple(map(_trio, data["maintenance"])),
        wear={key: _trio(row) for key, row in data["wear"].items()},
        attachments_sentence=tuple(map(_trio, data["attachments_sentence"])),
        air_conditioning=_trio(data["air_conditioning"]),
        canopy=_trio(data["canopy"]),
        blade={key: _trio(row) for key, row in data["blade"].items()},
        place={key: _trio(row) for key, row in data["place"].items()},
        location=tuple(map(_trio, data["location"])),
        closing=tuple(map(_trio, data["closing"])),
    )


def _hours(hours: int) -> Trio:
    return f"{hours:,} hours", f"{hours:,}時間", f"{hours}小时"


def _place(facts: ListingFacts) -> Trio:
    # A region without its own Japanese or Chinese name is set apart in brackets there.
    template = templates().place["latin" if facts.region[1] == facts.region[0] else "native"]
    en, ja, zh = (
        template[index].format(region=facts.region[index], country=facts.country[index]) for index in range(3)
    )
    return en, ja, zh


def title(facts: ListingFacts) -> dict[str, str]:
    maker_en, maker_ja, maker_zh = facts.maker
    noun_en, noun_ja, noun_zh = facts.noun
    year, model = facts.year, facts.model_number
    if facts.hours is None:
        return {
            "en": f"{year} {maker_en} {model} {noun_en}",
            "ja": f"{maker_ja} {model} {noun_ja} {year}年式",
            "zh": f"{year}年 {maker_zh} {model} {noun_zh}",
        }
    return {
        "en": f"{year} {maker_en} {model} {noun_en}, {facts.hours:,} h",
        "ja": f"{maker_ja} {model} {noun_ja} {year}年式 {facts.hours:,}時間",
        "zh": f"{year}年 {maker_zh} {model} {noun_zh} {facts.hours}小时",
    }


def description(facts: ListingFacts, rng: random.Random) -> dict[str, str]:
    """A few sentences per language: introduction, condition, maintenance, wear, equipment,
    location and sometimes a closing remark; which variant of each is drawn from `rng`."""
    texts = templates()
    sentences: list[tuple[Trio, dict[int, dict[str, str]]]] = []

    def add(template: Trio, **values: Trio | str) -> None:
        per_language = {
            index: {key: value if isinstance(value, str) else value[index] for key, value in values.items()}
            for index in range(3)
        }
        sentences.append((template, per_language))

    common: dict[str, Trio | str] = {
        "year": str(facts.year),
        "maker": facts.maker,
        "model": facts.model_number,
        "noun": facts.noun,
    }
    if facts.hours is None:
        add(rng.choice(texts.intro_without_hours), **common)
    else:
        add(rng.choice(texts.intro), hours=_hours(facts.hours), **common)
    condition = rng.choice(texts.condition[facts.condition])
    if facts.condition == "needs_repair":
        add(condition, defect=rng.choice(texts.defects))
    else:
        add(condition)
    if rng.random() < 0.75:
        maintenance = rng.choice(texts.maintenance)
        if "{service_hours}" not in maintenance[0]:
            add(maintenance)
        elif facts.hours is not None and facts.hours >= 250:
            add(maintenance, service_hours=f"{facts.hours - rng.randrange(0, 250, 50):,}")
        else:
            add(texts.maintenance[0])
    if facts.wear and rng.random() < 0.6:
        add(texts.wear[facts.wear], wear=str(rng.randrange(30, 96, 5)))
    if facts.attachments:
        names = [texts.attachments[name] for name in facts.attachments]
        listed = tuple(
            separator.join(name[index] for name in names)
            for index, separator in enumerate((", ", "、", "、"))
        )
        add(rng.choice(texts.attachments_sentence), attachments=(listed[0], listed[1], listed[2]))
    if facts.air_conditioning == "yes":
        add(texts.air_conditioning)
    elif facts.cab == "open_canopy":
        add(texts.canopy)
    if facts.blade in texts.blade:
        add(texts.blade[facts.blade])
    add(rng.choice(texts.location), place=_place(facts))
    if rng.random() < 0.5:
        add(rng.choice(texts.closing))
    result = {}
    for index, (language, separator) in enumerate(zip(LANGUAGES, (" ", "", ""), strict=True)):
        result[language] = separator.join(
            template[index].format(**values[index]) for template, values in sentences
        )
    return result
