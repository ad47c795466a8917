"""Saved searches: a buyer keeps a search of `/api/v1/search/` to be told of the new listings
it finds (alerts/matching.py). Writes, each in one transaction that also announces the saved
search on the outbox's alerts topic, so the percolator index (alerts/percolator.py) follows.

A saved search is the search API's own query string. It is checked by the API's own parser
(`search.params.parse_search_params`), so what the API would refuse is refused here with the
same error body, and kept in canonical form (`canonical_query`): the search's parameters in
name order, without the page's (offset, limit, cursor, facets: a saved search is the search,
not one page of it) nor parameters the search does not read.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import QueryDict

from alerts.kinds import Email
from alerts.models import Delivery, SavedSearch
from core.errors import ConflictError, DomainError, NotFoundError
from marketplace.services.outbox import outbox_alert
from search.params import is_search_parameter, parse_search_params
from search.query import SearchParams

MAX_NAME = 120
# a character that is not a space, and none that is a control character (in the OpenAPI
# document too: ECMAScript reads it as Python does)
NAME_PATTERN = "^[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u0020\\u007f][^\\u0000-\\u001f\\u007f]*$"
MAX_QUERY = 2000
PAGE_PARAMETERS = frozenset({"offset", "limit", "cursor", "facets"})
EMAIL_OF_DELIVERY = {Delivery.SITE: Email.OFF, Delivery.EMAIL: Email.IMMEDIATE, Delivery.DIGEST: Email.DIGEST}


class _Asked:
    """A query string as `parse_search_params` reads a request: no profile, no browser."""

    def __init__(self, query: QueryDict) -> None:
        self.GET = query
        self.META: dict[str, str] = {}
        self.user = None


def search_params(query: str) -> SearchParams:
    """The saved `query` as the search API reads it (every word required: a saved search
    never relaxes, see alerts/percolator.py)."""
    return parse_search_params(_Asked(QueryDict(query)))


def canonical_query(query: str) -> str:
    """`query` checked as `/api/v1/search/` checks it (its DomainError, body for body), then in
    canonical form."""
    if len(query) > MAX_QUERY:
        raise DomainError(
            "The saved search is invalid.",
            fields={"query": [f"At most {MAX_QUERY} characters."]},
            code="validation_error",
        )
    given = QueryDict(query)
    parse_search_params(_Asked(given))
    kept = [
        (name, value)
        for name in sorted(given)
        if is_search_parameter(name) and name not in PAGE_PARAMETERS
        for value in given.getlist(name)
    ]
    return urlencode(kept)


def _clean_name(name: Any) -> str:
    """The name with its runs of spaces made one: it must have a character that is not a
    space, and no control character (`NAME_PATTERN`, the API's schema says the same)."""
    text = str(name)
    if not re.fullmatch(NAME_PATTERN, text):
        raise DomainError(
            "The saved search is invalid.",
            fields={"name": ["Give it a name, without control characters."]},
        )
    cleaned = " ".join(part for part in text.split(" ") if part)
    if len(cleaned) > MAX_NAME:
        raise DomainError(
            "The saved search is invalid.", fields={"name": [f"At most {MAX_NAME} characters."]}
        )
    return cleaned


def _delivery(value: Any) -> Delivery:
    if value not in Delivery.values:
        raise DomainError(
            "The saved search is invalid.",
            fields={"delivery": [f"One of {', '.join(Delivery.values)}."]},
        )
    return Delivery(value)


@transaction.atomic
def saved_search_create(*, user: Any, name: str, query: str, delivery: str = Delivery.SITE) -> SavedSearch:
    """Keep `query` as `user`'s saved search `name`. Holds the user's row FOR UPDATE while it
    counts their saved searches: two saves at once cannot pass the limit together."""
    cleaned_name = _clean_name(name)
    chosen = _delivery(delivery)
    canonical = canonical_query(query)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.ALERTS_SAVED_SEARCHES_PER_USER
    if SavedSearch.objects.filter(user_id=user.pk).count() >= limit:
        raise ConflictError(
            "You keep as many saved searches as one may; delete one to save another.",
            code="saved_search_limit",
        )
    saved = SavedSearch.objects.create(user_id=user.pk, name=cleaned_name, query=canonical, delivery=chosen)
    outbox_alert(happened="saved_search", entity_id=saved.pk)
    return saved


def _owned(user: Any, saved_search_id: int) -> SavedSearch:
    """The user's saved search, locked; another person's is as absent as a missing one."""
    saved = SavedSearch.objects.select_for_update().filter(pk=saved_search_id, user_id=user.pk).first()
    if saved is None:
        raise NotFoundError("No such saved search.")
    return saved


@transaction.atomic
def saved_search_update(
    *,
    user: Any,
    saved_search_id: int,
    name: str | None = None,
    delivery: str | None = None,
    paused: bool | None = None,
) -> SavedSearch:
    """Rename, change the delivery of, pause or resume (`paused`) the user's saved search;
    what is None stays."""
    cleaned_name = _clean_name(name) if name is not None else None
    chosen = _delivery(delivery) if delivery is not None else None
    saved = _owned(user, saved_search_id)
    if cleaned_name is not None:
        saved.name = cleaned_name
    if chosen is not None:
        saved.delivery = chosen
    if paused is not None:
        saved.paused = bool(paused)
    saved.save()
    outbox_alert(happened="saved_search", entity_id=saved.pk)
    return saved


@transaction.atomic
def saved_search_delete(*, user: Any, saved_search_id: int) -> None:
    saved = _owned(user, saved_search_id)
    saved.delete()
    outbox_alert(happened="saved_search", entity_id=saved_search_id)
