"""The machine document: what the search engine knows of a listing, and how a row becomes one.

Each language has its own text field with that language's analyzer plus an `ngram` subfield
for partial words; keyword fields serve filters, sorting and facets; `suggest` feeds
autocomplete. Only listings a buyer may see are indexed (SEARCHABLE_STATUSES)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from elasticsearch_dsl import (
    Completion,
    Date,
    Document,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    MetaField,
    Object,
    Short,
    Text,
)

from graph.rows import Facetable
from search.analysis import LANGUAGE_ANALYZERS, index_analyzer, search_analyzer


def completion_inputs(texts: list[str]) -> list[str]:
    """Inputs of the completion field: without control characters, which it refuses (some
    are its own separators), so a title a seller typed one into still indexes whole."""
    cleaned = ("".join(" " if unicodedata.category(c) == "Cc" else c for c in text) for text in texts)
    return [" ".join(text.split()) for text in cleaned if text.strip()]


def _texts_by_language(*, ngram: bool = False, long_text: bool = False) -> Object:
    """One text field per language with that language's analyzer; `ngram` adds the partial-word
    subfield (titles only: on long texts it costs more at index time than it brings);
    `long_text` fields take LONG_TEXT_ANALYZERS (search/analysis.py, `index_analyzer`)."""
    subfields = (
        {"fields": {"ngram": Text(analyzer="ngram_words_index", search_analyzer="standard")}} if ngram else {}
    )
    properties = {
        language: Text(
            analyzer=index_analyzer(language, long_text=long_text),
            search_analyzer=search_analyzer(language, long_text=long_text),
            **subfields,
        )
        for language in LANGUAGE_ANALYZERS
    }
    return Object(properties=properties)


class MakerInner(InnerDoc):
    id = Long()
    slug = Keyword()
    name = Text(analyzer="en_text", fields={"raw": Keyword()})
    names = _texts_by_language()


class ModelInner(InnerDoc):
    id = Long()
    slug = Keyword()


class CategoryInner(InnerDoc):
    id = Long()
    slug = Keyword()
    path = Keyword()  # the slugs of the category and every ancestor: a parent filter finds children
    names = _texts_by_language()


class PriceInner(InnerDoc):
    amount = Long()
    currency = Keyword()


class MachineDocument(Document):
    id = Long()
    title = _texts_by_language(ngram=True)
    description = _texts_by_language(long_text=True)
    languages = Keyword()
    model_number = Keyword(
        normalizer="lowercase_keyword",
        fields={
            "ngram": Text(analyzer="ngram_index", search_analyzer="ngram_search"),
            "series": Text(analyzer="series_index", search_analyzer="ngram_search"),
        },
    )
    maker = Object(MakerInner)
    model = Object(ModelInner)
    category = Object(CategoryInner)
    year = Short()
    hours = Integer()
    price_eur_cents = Long()
    price = Object(PriceInner)
    country = Keyword()
    region = Keyword()
    # The graph's cohort (graph/schema.py): text matches are counted per cohort for the spec
    # facets (one terms aggregation, search/selectors.py).
    cohort = Keyword()
    # The machine's effective values of the facetable specs, by spec code (graph.rows.
    # Facetable): the engine applies spec filters itself, by the graph's rule, so a page of
    # results never waits for the graph (search/selectors.py). Typed by `machine_mapping`.
    spec_numbers = Object(dynamic=True)
    spec_values = Object(dynamic=True)
    status = Keyword()
    seller_id = Long()
    cover_photo = Keyword(index=False)
    published_at = Date()
    # Unstemmed Latin-script words of titles and descriptions: the vocabulary "did you mean" draws on.
    spelling = Text(analyzer="spelling")
    suggest = Completion(
        analyzer="simple", preserve_separators=False, contexts=[{"name": "language", "type": "category"}]
    )

    class Meta:
        dynamic = MetaField("strict")


def machine_mapping() -> dict[str, Any]:
    mapping: dict[str, Any] = MachineDocument._doc_type.mapping.to_dict()
    # a spec's field is typed by its family, not by its first value (a 3 would make a long
    # field that truncates 2.5)
    mapping["dynamic_templates"] = [
        {"spec_numbers": {"path_match": "spec_numbers.*", "mapping": {"type": "double"}}},
        {"spec_values": {"path_match": "spec_values.*", "mapping": {"type": "keyword"}}},
    ]
    return mapping


# The machine columns a document reads: documents are built from plain rows, not model
# instances (a full reindex builds 100,000 of them; instances cost three times as much).
DOCUMENT_COLUMNS = (
    "id",
    "model_id",
    "title",
    "description",
    "year",
    "hours",
    "price_pivot",
    "price_amount",
    "price_currency_id",
    "country_id",
    "region",
    "status",
    "seller_id",
    "published_at",
)


def build_document(
    machine: Mapping[str, Any],
    model: Any,
    category_ancestors: list[Any],
    cover_photo: str | None,
    specs: Facetable | None = None,
) -> dict[str, Any]:
    """The document body for a machine row (`DOCUMENT_COLUMNS`), its model (a
    `marketplace.MachineModel` with its maker loaded), its category's ancestors, root first,
    ending with the category itself, the URL of its cover photo's thumbnail, and its cohort
    and facetable spec values (`graph.rows.facetable_specs`)."""
    maker = model.maker
    title, description = machine["title"], machine["description"]
    texts = {language: text for language, text in title.items() if language in LANGUAGE_ANALYZERS}
    languages = sorted(set(texts) | {lang for lang in description if lang in LANGUAGE_ANALYZERS})
    suggestions = [f"{maker.name} {model.model_number}", model.model_number]
    contexts = languages or ["en"]
    category = category_ancestors[-1]
    country = machine["country_id"]
    published_at = machine["published_at"]
    return {
        "id": machine["id"],
        "title": texts,
        "description": {lang: text for lang, text in description.items() if lang in LANGUAGE_ANALYZERS},
        "languages": languages,
        "model_number": model.model_number,
        "maker": {
            "id": maker.pk,
            "slug": maker.slug,
            "name": maker.name,
            "names": {lang: name for lang, name in maker.names.items() if lang in LANGUAGE_ANALYZERS},
        },
        "model": {"id": model.pk, "slug": model.slug},
        "category": {
            "id": category.pk,
            "slug": category.slug,
            "path": [ancestor.slug for ancestor in category_ancestors],
            # every ancestor's names too: a mini excavator is found as an excavator
            "names": {
                lang: " ".join(
                    ancestor.names[lang]
                    for ancestor in reversed(category_ancestors)
                    if lang in ancestor.names
                )
                for lang in LANGUAGE_ANALYZERS
                if any(lang in ancestor.names for ancestor in category_ancestors)
            },
        },
        "year": machine["year"],
        "hours": machine["hours"],
        "price_eur_cents": machine["price_pivot"],
        "price": {"amount": machine["price_amount"], "currency": machine["price_currency_id"]},
        "country": country,
        "region": machine["region"],
        "cohort": specs.cohort if specs else None,
        "spec_numbers": specs.numbers if specs else {},
        "spec_values": specs.values if specs else {},
        "status": machine["status"],
        "seller_id": machine["seller_id"],
        "cover_photo": cover_photo,
        "published_at": published_at.isoformat() if published_at else None,
        "spelling": " ".join(
            text
            for field in (title, description)
            for lang, text in field.items()
            if lang in ("en", "de", "fr")
        ),
        "suggest": [
            {"input": completion_inputs(suggestions), "contexts": {"language": contexts}, "weight": 2},
            *(
                {"input": inputs, "contexts": {"language": [language]}, "weight": 1}
                for language, text in texts.items()
                if (inputs := completion_inputs([text]))
            ),
        ],
    }
