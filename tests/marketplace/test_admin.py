"""Staff work in the Django admin: list, filter and search listings; bulk status actions go
through the services (and so reach the outbox)."""

from __future__ import annotations

import pytest
from django.test import Client

from marketplace.models import Category, Machine, MachineStatus, Maker, OutboxEvent
from tests.factories import CategoryFactory, MachineFactory, MakerFactory, UserFactory, model_with_specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="curator", is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_and_filters_machines(staff_client: Client) -> None:
    model = model_with_specs()
    published = MachineFactory.create(model=model, serial_number="SN-PUBLISHED")
    draft = MachineFactory.create(model=model, status=MachineStatus.DRAFT, serial_number="SN-DRAFT")

    everything = staff_client.get("/admin/marketplace/machine/")
    only_drafts = staff_client.get("/admin/marketplace/machine/?status__exact=draft")
    searched = staff_client.get("/admin/marketplace/machine/?q=SN-PUBLISHED")

    assert everything.status_code == 200
    assert {m.pk for m in everything.context["cl"].result_list} == {published.pk, draft.pk}
    assert [m.pk for m in only_drafts.context["cl"].result_list] == [draft.pk]
    assert [m.pk for m in searched.context["cl"].result_list] == [published.pk]


def test_every_taxonomy_page_of_the_admin_renders(staff_client: Client) -> None:
    model = model_with_specs()
    machine = MachineFactory.create(model=model)
    pages = [
        "category",
        "maker",
        "machinemodel",
        "speccategory",
        "specdefinition",
        "user",
        "currency",
        "language",
        "country",
        "watchlistentry",
        "outboxevent",
    ]
    for name in pages:
        assert staff_client.get(f"/admin/marketplace/{name}/").status_code == 200, name
    assert staff_client.get(f"/admin/marketplace/machine/{machine.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/marketplace/machinemodel/{model.pk}/change/").status_code == 200


def test_bulk_publish_and_unpublish_go_through_the_services(staff_client: Client) -> None:
    model = model_with_specs()
    drafts = [
        MachineFactory.create(model=model, status=MachineStatus.DRAFT, published_at=None) for _ in range(3)
    ]
    already = MachineFactory.create(model=model)
    ids = [str(m.pk) for m in [*drafts, already]]

    response = staff_client.post(
        "/admin/marketplace/machine/", {"action": "bulk_published", "_selected_action": ids}, follow=True
    )

    assert response.status_code == 200
    assert set(Machine.objects.values_list("status", flat=True)) == {MachineStatus.PUBLISHED}
    assert all(m.published_at for m in Machine.objects.filter(pk__in=[d.pk for d in drafts]))
    notes = [str(message) for message in response.context["messages"]]
    assert "3 listing(s) published." in notes
    assert any(f"#{already.pk}" in note for note in notes)  # refused: it was already published
    assert OutboxEvent.objects.filter(topic="search").count() == 3

    staff_client.post("/admin/marketplace/machine/", {"action": "bulk_unpublished", "_selected_action": ids})
    assert set(Machine.objects.values_list("status", flat=True)) == {MachineStatus.DRAFT}


def announced() -> set[tuple[str, str, int]]:
    return set(OutboxEvent.objects.values_list("topic", "entity", "entity_id"))


def test_catalogue_edits_in_the_admin_reach_both_projections_through_the_outbox(staff_client: Client) -> None:
    maker = MakerFactory.create(slug="komatsu", name="Komatsu")

    response = staff_client.post(
        f"/admin/marketplace/maker/{maker.pk}/change/",
        {"slug": "komatsu", "name": "Komatsu Ltd.", "names": "{}", "country": ""},
    )

    assert response.status_code == 302, response.content[:2000]
    assert Maker.objects.get(pk=maker.pk).name == "Komatsu Ltd."
    assert announced() == {("search", "maker", maker.pk), ("graph", "maker", maker.pk)}

    OutboxEvent.objects.all().delete()
    staff_client.post(f"/admin/marketplace/maker/{maker.pk}/delete/", {"post": "yes"})
    assert not Maker.objects.filter(pk=maker.pk).exists()
    assert announced() == {("search", "maker", maker.pk), ("graph", "maker", maker.pk)}


def test_a_category_renamed_in_the_admin_moves_its_subtree_and_is_announced(staff_client: Client) -> None:
    parent = CategoryFactory.create(slug="excavators")
    child = CategoryFactory.create(slug="mini-excavators", parent=parent)
    grandchild = CategoryFactory.create(slug="micro-excavators", parent=child)

    response = staff_client.post(
        f"/admin/marketplace/category/{parent.pk}/change/",
        {"parent": "", "slug": "diggers", "names": '{"en": "Diggers"}', "position": "0"},
    )

    assert response.status_code == 302, response.content[:2000]
    paths = dict(Category.objects.values_list("slug", "path"))
    assert paths == {"diggers": "diggers", "mini-excavators": "diggers/mini-excavators",
                     "micro-excavators": "diggers/mini-excavators/micro-excavators"}  # fmt: skip
    assert Category.objects.get(pk=grandchild.pk).depth == 2
    assert announced() == {("search", "category", parent.pk), ("graph", "category", parent.pk)}


def test_the_admin_links_to_the_analytics_page(staff_client: Client) -> None:
    page = staff_client.get("/admin/").content.decode()
    assert '<a href="/staff/analytics/" data-testid="admin-analytics">Analytics</a>' in page
    assert staff_client.get("/staff/analytics/").status_code == 200
