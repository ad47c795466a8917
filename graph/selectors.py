"""Reads of the catalogue graph: faceted search (graph/facets.py builds the queries)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Literal, cast

from neo4j.exceptions import DriverError, Neo4jError

from core.errors import DomainError, ServiceUnavailableError
from core.threads import shared_pool
from graph.client import run_query
from graph.cypher import Rendered
from graph.facets import (
    FacetRequest,
    FacetRequestError,
    FacetResult,
    SpecInfo,
    Tallies,
    build_facet_queries,
    can_group,
    cohort_members_query,
    combine,
    validate,
)

QUERY_TIMEOUT_SECONDS = 10.0
SpecKindName = Literal["number", "enum", "text"]


def _pool() -> ThreadPoolExecutor:
    """The facet queries of one request run side by side (Neo4j runs each on one core)."""
    return shared_pool("graph-facets", workers=3)


def spec_catalogue() -> dict[str, SpecInfo]:
    """Every spec definition by code. A spec is `per_machine` when some machine has its own
    value for it; the others hold their model's catalogue value on every machine, which
    lets the facet queries read them once per model (see graph/facets.py)."""
    from marketplace.models import SpecDefinition

    overridden = _overridden_definitions()
    rows = SpecDefinition.objects.values_list("id", "code", "kind", "unit")
    return {
        code: SpecInfo(code, cast(SpecKindName, kind), unit, per_machine=pk in overridden)
        for pk, code, kind, unit in rows
    }


def _overridden_definitions() -> set[int]:
    """Ids of the definitions some machine has its own value for: the distinct values of an
    indexed column read as a loose index scan (one index probe per distinct value, well
    under a millisecond), where DISTINCT or EXISTS would scan all ~200,000 rows."""
    from django.db import connection

    from marketplace.models import MachineSpecValue

    table = connection.ops.quote_name(MachineSpecValue._meta.db_table)
    sql = f"""
        WITH RECURSIVE found(id) AS (
            SELECT min(definition_id) FROM {table}
            UNION ALL
            SELECT (SELECT min(definition_id) FROM {table} WHERE definition_id > found.id)
            FROM found WHERE found.id IS NOT NULL
        )
        SELECT id FROM found WHERE id IS NOT NULL
    """  # noqa: S608  # the only interpolation is the model's own table name
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def _candidate_tallies(candidates: tuple[int, ...]) -> tuple[dict[str, Counter[str]], dict[str, list[str]]]:
    """Per cohort holding some of the text candidates: how many per country (summed, the
    queries' weights), and which ones (the ids of a matching cohort, as text)."""
    wanted = set(map(str, candidates))  # compared as the text the cohorts keep
    by_country: dict[str, Counter[str]] = {}
    members: dict[str, list[str]] = {}
    listed = _run(cohort_members_query())[0]
    for cohort, ids, countries in zip(listed["cohorts"], listed["ids"], listed["countries"], strict=True):
        machine_ids = ids.split(",")
        found = wanted.intersection(machine_ids)
        if not found:
            continue
        if len(found) == len(machine_ids):
            by_country[cohort] = Counter(countries.split(","))
        else:
            country_of = dict(zip(machine_ids, countries.split(","), strict=True))
            by_country[cohort] = Counter(map(country_of.__getitem__, found))
        members[cohort] = list(found)
    return by_country, members


def _countries_of(keys: list[str], by_country: dict[str, Counter[str]]) -> list[list[Any]]:
    """The country facet of the matching cohorts, from their candidates' countries: ``[[country, count]]``."""
    per_country: Counter[str] = Counter()
    for key in keys:
        per_country.update(by_country[key])
    return [[country, count] for country, count in per_country.items()]


def _run(rendered: Rendered) -> list[dict[str, Any]]:
    return run_query(rendered.text, rendered.parameters, timeout=QUERY_TIMEOUT_SECONDS)


def _nothing_matches(request: FacetRequest) -> FacetResult:
    """The result of a request whose text candidates are none."""
    if request.tallies is not None:  # (never with countries: build_facet_queries refuses that)
        return FacetResult(total=0, ids=None, cohorts=frozenset() if request.with_ids else None)
    return FacetResult(total=0, ids=frozenset() if request.with_ids else None)


def facet_search(
    request: FacetRequest, specs: dict[str, SpecInfo] | None = None, *, grouped: bool | None = None
) -> FacetResult:
    """Matching machines and disjunctive facet counts for `request` (semantics in
    graph/facets; `grouped` as in `build_facet_queries`). Raises DomainError (400) for a bad
    spec filter and ServiceUnavailableError (503) when Neo4j cannot answer."""
    specs = specs if specs is not None else spec_catalogue()
    try:
        validate(request, specs)
    except FacetRequestError as error:
        raise DomainError(
            error.message, fields={error.field: [error.message]}, code="invalid_spec_filter"
        ) from error
    # The text matched nothing (no candidate, or no tally): every facet is empty, which the
    # queries would find out only after visiting every model's cohorts.
    if request.candidates == () and request.tallies is None:
        return _nothing_matches(request)
    try:
        members: dict[str, list[str]] | None = None
        by_country: dict[str, Counter[str]] | None = None
        tallies: Tallies | None = request.tallies
        if request.candidates is not None and grouped is not False and can_group(request):
            by_country, members = _candidate_tallies(request.candidates)
            tallies = {key: sum(countries.values()) for key, countries in by_country.items()}
        queries = build_facet_queries(request, specs, grouped=grouped, tallies=tallies)
        if request.tallies is not None and not request.tallies:
            return _nothing_matches(request)
        pool = _pool()
        models = pool.submit(_run, queries.models)
        machine_specs = pool.submit(_run, queries.machine_specs) if queries.machine_specs else None
        asked = request.with_ids or request.with_countries
        countries = (
            _run(queries.countries)[0] if asked and queries.countries is not None else {"countries": []}
        )
        specs_row = machine_specs.result()[0] if machine_specs else None
        if specs_row is not None and "ids" in specs_row:  # the matching cohorts' keys came with the specs
            countries = {"ids": specs_row.pop("ids")}
        if tallies is not None and "countries" not in countries:  # matching cohorts' keys only
            found = (
                _countries_of(countries["ids"], by_country)
                if by_country is not None and request.with_countries
                else []
            )
            countries = {"countries": found, **countries}
            if not request.with_ids:
                del countries["ids"]
        cohorts = None
        if members is not None and "ids" in countries:  # cohort keys -> the candidates in them
            countries = {**countries, "ids": [list(map(int, members[key])) for key in countries["ids"]]}
        elif request.tallies is not None and "ids" in countries:  # the engine knows which listings
            cohorts = frozenset(countries.pop("ids"))
        result = combine(models.result(), countries, specs_row, specs)
        return replace(result, cohorts=cohorts) if cohorts is not None else result
    except (Neo4jError, DriverError, OSError) as error:
        raise ServiceUnavailableError(
            "Spec filters are unavailable right now; please try again shortly."
        ) from error
