"""Spec filters of saved searches: the percolator decides them (alerts/percolator.py says
why) on each listing's effective spec values, and must agree with the graph's spec filter
(`graph.selectors.facet_search`) on the graph tests' spec catalogue: bounds inclusive in the
canonical unit, whichever unit system they were typed in, a listing's own value over its
model's, a listing without the spec failing it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.matching import listing_documents
from alerts.models import SavedSearch
from alerts.percolator import percolate, sync_saved_searches
from alerts.saved_searches import saved_search_create, search_params
from graph.facets import FacetRequest
from graph.selectors import facet_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# bounds typed in the metric display units (t, kW, m³) around and at the catalogue's values
BOUNDS = {
    "operating_weight": [2.0, 2.7, 3.0, 3.3, 18.5, 20.5, 25.0],
    "engine_power": [15.2, 18.2, 100.0, 110.0, 188.0],
    "bucket_capacity": [0.07, 0.08, 0.09, 0.8, 3.1],
}


@pytest.fixture(scope="module")
def spec_listings(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    from tests.factories import SellerFactory
    from tests.graph.catalogue import build_spec_catalogue, remove_spec_catalogue

    with django_db_blocker.unblock():
        seller = SellerFactory.create(username="alerts-spec-seller")
        try:
            yield build_spec_catalogue(seller)
        finally:
            remove_spec_catalogue()
            seller.delete()


@st.composite
def spec_query(draw: st.DrawFn) -> str:
    parameters: list[tuple[str, Any]] = []
    for code in draw(st.lists(st.sampled_from(sorted(BOUNDS)), min_size=1, max_size=2, unique=True)):
        for bound in draw(st.sampled_from([("min",), ("max",), ("min", "max")])):
            parameters.append((f"spec.{code}.{bound}", draw(st.sampled_from(BOUNDS[code]))))
    if draw(st.booleans()):
        parameters += [
            ("spec.undercarriage", v)
            for v in draw(st.lists(st.sampled_from(["crawler", "wheeled"]), min_size=1, unique=True))
        ]
    return urlencode(parameters)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=spec_query())
def test_the_percolator_and_the_graph_agree_on_spec_filters(
    spec_listings: dict[str, int], percolator_index: str, query: str
) -> None:
    saved = saved_search_create(user=UserFactory.create(), name="specs", query=query)
    sync_saved_searches([saved.pk])
    documents = listing_documents(spec_listings.values())
    order = sorted(documents)

    by_percolator = {
        order[slot] for search_id, slot in percolate([documents[i] for i in order]) if search_id == saved.pk
    }
    by_graph = facet_search(FacetRequest(specs=search_params(saved.query).specs, with_ids=True)).ids

    assert by_percolator == by_graph, query
    SavedSearch.objects.filter(pk=saved.pk).delete()  # (the next example's percolation is its own)
    sync_saved_searches([saved.pk])


def test_a_bound_at_a_listings_value_includes_it(
    spec_listings: dict[str, int], percolator_index: str
) -> None:
    saved = saved_search_create(
        user=UserFactory.create(), name="3.3 t", query="spec.operating_weight.max=3.3"
    )
    sync_saved_searches([saved.pk])
    documents = listing_documents(spec_listings.values())
    order = sorted(documents)

    matched = {order[slot] for _, slot in percolate([documents[i] for i in order])}

    assert matched == {
        spec_listings[key] for key in ("u27-jp", "u27-de", "tb230-gb")
    }  # the TB230 weighs 3,300 kg
