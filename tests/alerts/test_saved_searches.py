"""Saved searches against the real engine and PostgreSQL: kept, renamed, paused and deleted by
their owner only, refused as the search API refuses a search; told once of each listing that
their search finds, when it is published or its price drops into their range."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from alerts.kinds import Email
from alerts.models import Notification, SavedSearch
from alerts.projection import apply_events
from alerts.saved_searches import (
    EMAIL_OF_DELIVERY,
    saved_search_create,
    saved_search_delete,
    saved_search_update,
)
from core.errors import ConflictError, DomainError, NotFoundError
from core.money import Money
from marketplace import services
from marketplace.models import OutboxEvent
from marketplace.outbox import drain_rows
from tests.factories import MachineFactory, MachineModelFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def drain() -> int:
    return drain_rows("alerts", apply_events).processed


def percolated(alias: str) -> dict[int, dict[str, Any]]:
    from search.client import get_client

    get_client().indices.refresh(index=alias)
    query = {"term": {"saved_search_kind": "search"}}
    hits = get_client().search(index=alias, body={"size": 100, "query": query})["hits"]["hits"]
    return {int(hit["_id"]): hit["_source"] for hit in hits}


def test_a_saved_search_is_kept_in_canonical_form_and_follows_into_the_percolator(
    percolator_index: str,
) -> None:
    buyer = UserFactory.create()

    saved = saved_search_create(
        user=buyer,
        name="  Komatsu   diggers ",
        query="year_min=2015&q=komatsu&limit=5&utm_source=x&maker=komatsu",
    )
    assert (saved.name, saved.query, saved.delivery, saved.paused) == (
        "Komatsu diggers", "maker=komatsu&q=komatsu&year_min=2015", "site", False)  # fmt: skip
    assert OutboxEvent.objects.filter(topic="alerts", entity="saved_search", entity_id=saved.pk).count() == 1
    drain()
    document = percolated(percolator_index)[saved.pk]
    assert (document["saved_search_owner"], document["saved_search_paused"]) == (buyer.pk, False)

    saved_search_update(user=buyer, saved_search_id=saved.pk, name="Komatsu", delivery="digest", paused=True)
    drain()
    saved.refresh_from_db()
    assert (saved.name, saved.delivery, saved.paused) == ("Komatsu", "digest", True)
    assert percolated(percolator_index)[saved.pk]["saved_search_paused"] is True

    saved_search_delete(user=buyer, saved_search_id=saved.pk)
    drain()
    drain()  # twice: the second finds nothing to do, and deleting again is no error
    assert not SavedSearch.objects.exists()
    assert saved.pk not in percolated(percolator_index)


def test_the_delivery_maps_to_the_email_choice() -> None:
    assert EMAIL_OF_DELIVERY == {"site": Email.OFF, "email": Email.IMMEDIATE, "digest": Email.DIGEST}


def test_another_persons_saved_search_is_not_found_and_unchanged() -> None:
    owner, other = UserFactory.create(), UserFactory.create()
    saved = saved_search_create(user=owner, name="Mine", query="q=crane")
    before = OutboxEvent.objects.count()

    with pytest.raises(NotFoundError):
        saved_search_update(user=other, saved_search_id=saved.pk, name="Theirs")
    with pytest.raises(NotFoundError):
        saved_search_delete(user=other, saved_search_id=saved.pk)

    saved.refresh_from_db()
    assert saved.name == "Mine"
    assert OutboxEvent.objects.count() == before


@override_settings(ALERTS_SAVED_SEARCHES_PER_USER=2)
def test_past_the_limit_a_save_is_refused_and_nothing_changes() -> None:
    buyer = UserFactory.create()
    saved_search_create(user=buyer, name="One", query="q=one")
    saved_search_create(user=buyer, name="Two", query="q=two")
    saved_search_create(user=UserFactory.create(), name="Someone else's", query="q=two")

    with pytest.raises(ConflictError) as refused:
        saved_search_create(user=buyer, name="Three", query="q=three")

    assert (refused.value.code, refused.value.status_code) == ("saved_search_limit", 409)
    assert SavedSearch.objects.filter(user=buyer).count() == 2
    assert OutboxEvent.objects.filter(entity="saved_search").count() == 3


@pytest.mark.parametrize(
    ("name", "query", "delivery", "field"),
    [
        ("", "q=x", "site", "name"),
        ("Komatsu\tdiggers", "q=x", "site", "name"),
        ("x" * 121, "q=x", "site", "name"),
        ("ok", "q=x", "fax", "delivery"),
        ("ok", "year_min=abc", "site", "year_min"),
        ("ok", "spec.no_such_spec.min=3", "site", "spec.no_such_spec"),
        ("ok", "q=" + "x" * 2000, "site", "query"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    name: str, query: str, delivery: str, field: str
) -> None:
    buyer = UserFactory.create()

    with pytest.raises(DomainError) as refused:
        saved_search_create(user=buyer, name=name, query=query, delivery=delivery)

    assert field in refused.value.fields
    assert not SavedSearch.objects.exists()
    assert not OutboxEvent.objects.filter(entity="saved_search").exists()


def machine_for(seller: Any, **fields: Any) -> Any:
    model = fields.pop("model", None) or MachineModelFactory.create(
        maker__slug="komatsu", maker__name="Komatsu"
    )
    return MachineFactory.create(seller=seller, model=model, status="draft", published_at=None, **fields)


def publish(seller: Any, machine: Any) -> None:
    services.machine_publish(actor=seller, machine_id=machine.pk)
    from search.sync import apply_changes

    apply_changes({"machine": {machine.pk}})  # the search topic, which the page reads (not the alerts)
    from search.client import get_client
    from search.indices import MACHINES, alias_name

    get_client().indices.refresh(index=alias_name(MACHINES))


def test_a_matching_listing_is_told_once_to_each_saved_search_but_its_sellers(percolator_index: str) -> None:
    seller = SellerFactory.create()
    buyer, paused_buyer, other = (
        UserFactory.create(primary_language_id="ja"),
        UserFactory.create(),
        UserFactory.create(),
    )
    saved = saved_search_create(user=buyer, name="Komatsu", query="maker=komatsu", delivery="email")
    paused = saved_search_create(user=paused_buyer, name="Also komatsu", query="q=komatsu")
    saved_search_update(user=paused_buyer, saved_search_id=paused.pk, paused=True)
    saved_search_create(user=other, name="Cranes", query="category=cranes")
    saved_search_create(user=seller, name="My own", query="maker=komatsu")
    drain()
    machine = machine_for(
        seller,
        title={"en": "Komatsu excavator", "ja": "\u30b3\u30de\u30c4 \u6cb9\u5727\u30b7\u30e7\u30d9\u30eb"},
    )

    publish(seller, machine)
    drain()
    drain()
    services.machine_unpublish(actor=seller, machine_id=machine.pk)
    publish(seller, machine)
    drain()

    told = list(Notification.objects.all())
    assert [(n.user_id, n.kind, n.dedupe_key, n.machine_id, n.link) for n in told] == [
        (buyer.pk, "saved_search_match", f"saved_search:{saved.pk}:machine:{machine.pk}", machine.pk,
         f"/machines/{machine.pk}/")]  # fmt: skip
    assert told[0].params == {
        "search": "Komatsu",
        "title": "\u30b3\u30de\u30c4 \u6cb9\u5727\u30b7\u30e7\u30d9\u30eb",
        "price": "\u00a58,800,000",
    }


def test_a_price_drop_into_the_range_tells_and_a_rise_does_not(percolator_index: str) -> None:
    seller, buyer = SellerFactory.create(), UserFactory.create()
    saved = saved_search_create(user=buyer, name="Cheap", query="price_max=40000&currency=EUR")
    drain()
    machine = machine_for(seller, price_amount=9_000_000, price_currency_id="JPY")  # about 50,000 EUR
    publish(seller, machine)
    drain()
    assert not Notification.objects.exists()

    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(9_500_000, "JPY"))
    drain()
    assert not Notification.objects.exists()  # a rise

    services.machine_update(actor=seller, machine_id=machine.pk, price=Money(5_000_000, "JPY"))
    from search.sync import apply_changes

    apply_changes({"machine": {machine.pk}})
    drain()
    assert list(Notification.objects.values_list("user_id", "dedupe_key")) == [
        (buyer.pk, f"saved_search:{saved.pk}:machine:{machine.pk}")
    ]


@pytest.mark.parametrize("text", ["kamatsu", "exkavator", "komatsu excavater", "exca", "pc20"])
def test_a_misspelt_or_partial_word_is_matched_as_the_search_matches_it(
    percolator_index: str, text: str
) -> None:
    from rest_framework.test import APIClient

    from alerts.matching import listing_documents
    from alerts.percolator import percolate, sync_saved_searches

    seller = SellerFactory.create()
    model = MachineModelFactory.create(maker__slug="komatsu", maker__name="Komatsu", model_number="PC200-8")
    machine = machine_for(seller, model=model, title={"en": "Komatsu PC200-8 excavator"})
    publish(seller, machine)
    saved = saved_search_create(user=UserFactory.create(), name=text, query=f"q={text}&sort=newest")
    sync_saved_searches([saved.pk])

    found = {
        hit["id"]
        for hit in APIClient().get("/api/v1/search/", {"q": text, "sort": "newest"}).json()["results"]
    }
    matched = {machine.pk for search_id, _ in percolate(list(listing_documents([machine.pk]).values()))}

    assert found == matched == {machine.pk}


def test_searches_with_the_same_words_share_one_words_query_and_each_keeps_its_filters(
    percolator_index: str,
) -> None:
    from alerts.matching import listing_documents
    from alerts.percolator import percolate
    from search.client import get_client

    seller = SellerFactory.create()
    model = MachineModelFactory.create(maker__slug="komatsu", maker__name="Komatsu", model_number="PC200-8")
    machine = machine_for(seller, model=model, title={"en": "Komatsu PC200-8 excavator"}, year=2015)
    publish(seller, machine)
    buyers = UserFactory.create_batch(4)
    recent = saved_search_create(user=buyers[0], name="a", query="q=komatsu&year_min=2010")
    newer = saved_search_create(user=buyers[1], name="b", query="q=komatsu&year_min=2020")  # too old
    written = saved_search_create(
        user=buyers[2], name="c", query="q=komatsu+crane&year_min=2010"
    )  # not its words
    bare = saved_search_create(user=buyers[3], name="d", query="year_min=2010")
    drain()

    get_client().indices.refresh(index=percolator_index)
    kinds = get_client().search(
        index=percolator_index,
        body={"size": 0, "aggs": {"kinds": {"terms": {"field": "saved_search_kind"}}}},
    )["aggregations"]["kinds"]["buckets"]
    assert {bucket["key"]: bucket["doc_count"] for bucket in kinds} == {"search": 4, "words": 2}
    searches = percolated(percolator_index)
    assert searches[recent.pk]["saved_search_words"] == searches[newer.pk]["saved_search_words"]
    assert searches[recent.pk]["saved_search_words"] != searches[written.pk]["saved_search_words"]
    assert searches[bare.pk]["saved_search_words"] is None

    matched = percolate(list(listing_documents([machine.pk]).values()))
    assert sorted(matched) == [(recent.pk, 0), (bare.pk, 0)]


def test_with_no_saved_search_to_tell_a_publication_needs_no_percolator(machine_index: str) -> None:
    from alerts.percolator import alias
    from search.client import get_client

    get_client().indices.delete(index=f"{alias()}-v*", ignore=[404])
    seller = SellerFactory.create()
    paused = saved_search_create(user=UserFactory.create(), name="Paused", query="q=komatsu")
    saved_search_update(user=paused.user, saved_search_id=paused.pk, paused=True)
    OutboxEvent.objects.filter(entity="saved_search").delete()  # (its index is the one removed)
    publish(seller, machine_for(seller))

    result = drain_rows("alerts", apply_events)

    assert (result.processed, result.failed) == (1, False)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("paged", [False, True])
def test_every_match_of_a_batch_of_listings_is_found_however_small_the_pages(
    percolator_index: str, paged: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alerts import percolator
    from alerts.matching import listing_documents

    if paged:  # a page of one words match, of two searches a listing, two listings a multi-search
        monkeypatch.setattr(percolator, "PERCOLATE_PAGE", 1)
        monkeypatch.setattr(percolator, "MATCH_PAGE", 2)
        monkeypatch.setattr(percolator, "MULTI_SEARCH", 2)
    seller = SellerFactory.create()
    komatsu = MachineModelFactory.create(maker__slug="komatsu", maker__name="Komatsu", model_number="PC200-8")
    hitachi = MachineModelFactory.create(maker__slug="hitachi", maker__name="Hitachi", model_number="ZX200")
    older = machine_for(seller, model=komatsu, title={"en": "Komatsu PC200-8 excavator"}, year=2015)
    newer = machine_for(seller, model=komatsu, title={"en": "Komatsu PC200-8 excavator"}, year=2020)
    other = machine_for(seller, model=hitachi, title={"en": "Hitachi ZX200 excavator"}, year=2018)
    for machine in (older, newer, other):
        publish(seller, machine)
    queries = {
        "year_min=2010": {older, newer, other},
        "year_min=2016": {newer, other},
        "q=komatsu": {older, newer},
        "q=komatsu&year_min=2018": {newer},
        "maker=komatsu": {older, newer},
        "year_max=2016": {older},
        "q=komatsu&sort=newest": {older, newer},  # the same words as two others
        "q=hitachi+zx200": {other},
    }
    buyers = UserFactory.create_batch(len(queries))
    expected = set()
    for buyer, (query, machines) in zip(buyers, queries.items(), strict=True):
        saved = saved_search_create(user=buyer, name=query, query=query)
        expected |= {(saved.pk, machine.pk) for machine in machines}
    drain()

    order = [older.pk, newer.pk, other.pk]
    documents = listing_documents(order)
    found = {
        (search_id, order[slot]) for search_id, slot in percolator.percolate([documents[i] for i in order])
    }

    assert found == expected
