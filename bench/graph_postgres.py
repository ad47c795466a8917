"""The benchmark's baseline: the FacetResult of a FacetRequest computed in PostgreSQL with
GROUP BY, with the same semantics as graph/facets (disjunctive facets, effective specs: the
model's catalogue values overridden by the machine's own). One statement per request: a
materialized CTE of flagged machines, then one GROUP BY per facet joined with UNION ALL; the
country facet and the matching ids only when the request asks for them, as the graph does.
Values travel as parameters; the SQL text is assembled from fixed fragments only."""

from __future__ import annotations

from typing import Any

from django.db import connection

from graph.facets import FacetRequest, FacetResult, SpecInfo, SpecRange, SpecValues, combine
from marketplace.models.machines import SEARCHABLE_STATUSES

# A machine's value for a filtered spec: its own, else its model's (the effective value), from
# two outer joins per spec filter.
SPEC_JOINS = """
        LEFT JOIN marketplace_machinespecvalue own{i} ON own{i}.machine_id = m.id AND own{i}.definition_id = %(definition{i})s
        LEFT JOIN marketplace_modelspecvalue catalogue{i} ON catalogue{i}.model_id = m.model_id
            AND catalogue{i}.definition_id = %(definition{i})s"""


def _flags(
    request: FacetRequest, specs: dict[str, SpecInfo], params: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(column, dimension, SQL condition) per filter."""
    from marketplace.models import SpecDefinition

    flags = []
    for dimension, key, values, condition in (
        (
            "category",
            "categories",
            request.categories,
            "string_to_array(c.path, '/') && %(categories)s::text[]",
        ),
        ("maker", "makers", request.makers, "mk.slug = ANY(%(makers)s)"),
        ("model", "models", request.models, "mo.slug = ANY(%(models)s)"),
        ("country", "countries", request.countries, "m.country_id = ANY(%(countries)s)"),
    ):
        if values:
            params[key] = list(values)
            flags.append((f"f_{dimension}", dimension, condition))
    definitions = dict(SpecDefinition.objects.values_list("code", "id"))
    for index, spec_filter in enumerate(request.specs):
        key = f"definition{index}"
        params[key] = definitions[spec_filter.code]
        if isinstance(spec_filter, SpecValues):
            params[f"values{index}"] = list(spec_filter.values)
            condition = (
                f"COALESCE(own{index}.value_text, catalogue{index}.value_text) = ANY(%(values{index})s)"
            )
        else:
            assert isinstance(spec_filter, SpecRange)
            value = f"COALESCE(own{index}.value_number, catalogue{index}.value_number)"
            bounds = []
            if spec_filter.minimum is not None:
                params[f"low{index}"] = spec_filter.minimum
                bounds.append(f"{value} >= %(low{index})s")
            if spec_filter.maximum is not None:
                params[f"high{index}"] = spec_filter.maximum
                bounds.append(f"{value} <= %(high{index})s")
            condition = "COALESCE(" + " AND ".join(bounds) + ", false)"
        params[f"code{index}"] = spec_filter.code
        flags.append((f"f_spec{index}", f"spec:{spec_filter.code}", condition))
    return flags


def postgres_facets(request: FacetRequest, specs: dict[str, SpecInfo]) -> FacetResult:
    params: dict[str, Any] = {"visible": sorted(SEARCHABLE_STATUSES)}
    always = ["m.status = ANY(%(visible)s)"]
    if request.candidates is not None:
        params["candidates"] = list(request.candidates)
        always.append("m.id = ANY(%(candidates)s)")
    for column, low, high in (
        ("year", request.year_min, request.year_max),
        ("hours", request.hours_min, request.hours_max),
        ("price_pivot", request.price_min, request.price_max),
    ):
        if low is not None:
            params[f"{column}_low"] = low
            always.append(f"m.{column} >= %({column}_low)s")
        if high is not None:
            params[f"{column}_high"] = high
            always.append(f"m.{column} <= %({column}_high)s")
    flags = _flags(request, specs, params)
    misses = " + ".join(f"(NOT {column})::int" for column, _, _ in flags) or "0"
    flag_columns = "".join(f", COALESCE({condition}, false) AS {column}" for column, _, condition in flags)

    def context(dimension: str) -> str:
        own = [column for column, name, _ in flags if name == dimension]
        return f"(misses = 0 OR NOT {own[0]})" if own else "misses = 0"

    spec_context = " OR ".join(
        ["misses = 0"] + [f"(d.code = %(code{i})s AND NOT f_spec{i})" for i in range(len(request.specs))]
    )
    # only what the graph is asked for: the country facet and the ids when the request wants them
    country_part = ""
    if request.with_countries:
        country_part = "UNION ALL SELECT 'country', country, NULL, NULL, count(*), NULL FROM flagged WHERE {} GROUP BY country"
        country_part = country_part.format(context("country"))
    collected = "array_agg(id)" if request.with_ids else "NULL::bigint[]"
    sql = f"""
    WITH base AS MATERIALIZED (
        SELECT m.id, m.model_id, m.country_id AS country, mk.slug AS maker, mo.slug AS model, c.path{flag_columns}
        FROM marketplace_machine m
        JOIN marketplace_machinemodel mo ON mo.id = m.model_id
        JOIN marketplace_maker mk ON mk.id = mo.maker_id
        JOIN marketplace_category c ON c.id = mo.category_id{"".join(SPEC_JOINS.format(i=i) for i in range(len(request.specs)))}
        WHERE {" AND ".join(always)}
    ), flagged AS MATERIALIZED (
        SELECT * FROM (SELECT *, {misses} AS misses FROM base) counted WHERE misses <= 1
    ), effective AS (
        SELECT o.machine_id, o.definition_id, o.value_number, o.value_text
        FROM marketplace_machinespecvalue o JOIN flagged f ON f.id = o.machine_id
        UNION ALL
        SELECT f.id, v.definition_id, v.value_number, v.value_text
        FROM flagged f JOIN marketplace_modelspecvalue v ON v.model_id = f.model_id
        LEFT JOIN marketplace_machinespecvalue o ON o.machine_id = f.id AND o.definition_id = v.definition_id
        WHERE o.id IS NULL
    )
    SELECT 'category' AS facet, slug AS item, NULL::float8 AS number, NULL::text AS text, count(*) AS n, NULL::bigint[] AS ids
        FROM flagged, unnest(string_to_array(path, '/')) AS slug WHERE {context("category")} GROUP BY slug
    UNION ALL SELECT 'maker', maker, NULL, NULL, count(*), NULL FROM flagged WHERE {context("maker")} GROUP BY maker
    UNION ALL SELECT 'model', model, NULL, NULL, count(*), NULL FROM flagged WHERE {context("model")} GROUP BY model
    {country_part}
    UNION ALL SELECT 'total', NULL, NULL, NULL, count(*), {collected} FROM flagged WHERE misses = 0
    UNION ALL SELECT 'spec', d.code, e.value_number, NULLIF(e.value_text, ''), count(*), NULL
        FROM flagged f JOIN effective e ON e.machine_id = f.id JOIN marketplace_specdefinition d ON d.id = e.definition_id
        WHERE d.kind IN ('number', 'enum') AND ({spec_context})
        GROUP BY d.code, e.value_number, e.value_text
    """  # noqa: S608  # fixed fragments only; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    grouped: dict[str, list[list[Any]]] = {}
    countries, ids = [], []
    for facet, item, number, text, count, found in rows:
        if facet == "country":
            countries.append([item, count])
        elif facet == "total":
            ids = [found or []]
            grouped.setdefault("total", []).append([None, None, None, count])
        else:
            grouped.setdefault(facet, []).append([item, number, text, count])
    country_row: dict[str, Any] = {"countries": countries}
    if request.with_ids:
        country_row["ids"] = ids
    return combine(
        [{"facet": facet, "rows": found} for facet, found in grouped.items()], country_row, None, specs
    )
