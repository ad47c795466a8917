"""Small PostgreSQL helpers for the ORM."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.expressions import RawSQL


def any_of(ids: Iterable[int]) -> RawSQL:
    """For ``filter(pk__in=any_of(ids))``: the ids travel as one array parameter. A plain
    ``__in`` list sends one parameter per id, and building and binding a thousand of them
    cost more than the query itself when batches of documents are read."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
