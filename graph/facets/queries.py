"""The Cypher of a faceted search, built with `graph.cypher` (the package docstring explains
the semantics and the shape). Every value is a parameter; the spec codes were checked
against the spec definitions by `validate` before anything is built."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.cypher import (
    Expression,
    Param,
    Query,
    RelationshipPattern,
    Rendered,
    Union,
    all_of,
    any_of,
    case,
    func,
    node,
    param,
    rel,
    var,
)
from graph.facets.request import FACETABLE_KINDS, FacetRequest, SpecFilter, SpecInfo, SpecValues, validate
from graph.schema import CATALOGUE

# A cohort's key -> how many of its machines are among the text candidates
Tallies = Mapping[str, int]


def cohort_model_id(key: str) -> int:
    """The model of a cohort: its key names the model first (graph.rows.cohort_key)."""
    return int(key.split("-", 1)[0])


# Machine-level spec facets are read by walking each counted machine's relationships while
# there are fewer than this many; beyond it, one pass over the specs' own relationships is
# cheaper (measured at 100,000 machines: the two cross at roughly 10,000 machines).
MACHINE_SIDE_LIMIT = 10_000
# The same for cohorts, which have few relationships per spec (measured: 1,000-2,000 cohorts).
COHORT_SIDE_LIMIT = 1_500

_mk, _mo, _c, _m = node("mk", "Maker"), node("mo", "Model"), node("c", "Category"), node("m")
_MISSES, _N = var("misses"), var("n")
_COLUMNS = ("facet", "item", "number", "text", "weight")  # of every part of the model-level union


@dataclass(frozen=True)
class _Flag:
    name: str
    dimension: str  # "category", "maker", "model", "country" or "spec:<code>"
    condition: Expression

    @property
    def variable(self) -> Expression:
        return var(self.name)

    @property
    def spec_code(self) -> str | None:
        return self.dimension.removeprefix("spec:") if self.dimension.startswith("spec:") else None


@dataclass(frozen=True)
class _PassingSet:
    """The rows passing a spec filter, found once from the Spec node's side: machines (or
    cohorts) for a spec some machine overrides, models for the others."""

    name: str
    spec_filter: SpecFilter
    of_models: bool


@dataclass(frozen=True)
class _Plan:
    model_flags: tuple[_Flag, ...]
    machine_flags: tuple[_Flag, ...]
    passing: tuple[_PassingSet, ...]  # every spec filter, as the set of rows passing it
    candidates: tuple[int, ...] | None
    always: tuple[Expression, ...]  # candidates, year, hours, price
    model_specs: tuple[str, ...]  # facetable specs read once per model
    machine_specs: tuple[str, ...]  # facetable specs read from machines
    grouped: bool  # rows are cohorts weighted by their machine count, not machines
    # with text candidates, the cohorts' counts among them (a map by cohort key, a parameter)
    tallies: Param | None = None
    specs_only: bool = False  # no total, category, maker or model facet
    # the tallies summed per model (model ids, and their counts in the same order), when
    # they are the only filter and only the spec facets are asked: catalogue values need no more
    model_tallies: tuple[Param, Param] | None = None

    @property
    def machine_link(self) -> str:
        return "COHORT_OF" if self.grouped else "IS_OF_MODEL"

    @property
    def spec_link(self) -> str:
        return "COHORT_HAS_SPEC" if self.grouped else "HAS_SPEC"

    def count(self, row: Any = _m) -> Expression:
        """How many machines a cohort row stands for."""
        return self.tallies.at(row.prop("key")) if self.tallies is not None else row.prop("machine_count")

    def weight(self, row: Any = _m) -> Expression:
        """How many machines the rows stand for, as an aggregate."""
        return func.sum(self.count(row)) if self.grouped else func.count()

    @property
    def flags(self) -> tuple[_Flag, ...]:
        return self.model_flags + self.machine_flags

    def context(self, dimension: str, flags: Sequence[_Flag]) -> Expression | None:
        """Rows counting for a facet: no miss, or the only miss is the facet's own filter.
        None when `flags` (the flags behind `misses`) is empty: every row counts."""
        if not flags:
            return None
        own = next((flag for flag in flags if flag.dimension == dimension), None)
        return _MISSES.eq(0) if own is None else _MISSES.eq(0) | ~own.variable


def _value_condition(has: RelationshipPattern, spec_filter: SpecFilter) -> Expression:
    if isinstance(spec_filter, SpecValues):
        return has.prop("text").is_in(list(spec_filter.values))
    bounds = []
    if spec_filter.minimum is not None:
        bounds.append(has.prop("number") >= float(spec_filter.minimum))
    if spec_filter.maximum is not None:
        bounds.append(has.prop("number") <= float(spec_filter.maximum))
    return all_of(*bounds)


def can_group(request: FacetRequest) -> bool:
    """Whether cohorts can answer `request`: no filter reads a property only a machine has
    (year, hours, price, country). Text candidates must then be counted per cohort first
    (`Tallies`, see graph.selectors)."""
    bounds = (
        request.year_min,
        request.year_max,
        request.hours_min,
        request.hours_max,
        request.price_min,
        request.price_max,
    )
    return not request.countries and all(bound is None for bound in bounds)


def _tally_parameter(tallies: Tallies) -> Param:
    return param(dict(tallies), "cohort_counts")


def _plan(
    request: FacetRequest, specs: Mapping[str, SpecInfo], *, grouped: bool, tallies: Tallies | None
) -> _Plan:
    model_flags: list[_Flag] = []
    machine_flags: list[_Flag] = []
    passing: list[_PassingSet] = []
    if request.categories:
        in_path = (param(slug).is_in(_c.prop("path")) for slug in request.categories)
        model_flags.append(_Flag("f_category", "category", any_of(*in_path)))
    if request.makers:
        model_flags.append(_Flag("f_maker", "maker", _mk.prop("slug").is_in(list(request.makers))))
    if request.models:
        model_flags.append(_Flag("f_model", "model", _mo.prop("slug").is_in(list(request.models))))
    if request.countries:
        machine_flags.append(_Flag("f_country", "country", _m.prop("country").is_in(list(request.countries))))
    for index, spec_filter in enumerate(request.specs):
        name, dimension = f"f_spec{index}", f"spec:{spec_filter.code}"
        if specs[spec_filter.code].per_machine:
            # The machines passing it are found once, from the Spec node's side; each machine
            # is then only looked up in that set (a hash lookup, not a walk of its relationships).
            passing.append(_PassingSet(f"passing{index}", spec_filter, of_models=False))
            machine_flags.append(_Flag(name, dimension, _m.as_expression().is_in(var(f"passing{index}"))))
        else:
            # Likewise the models passing it, in one pass from the Spec node's side: a
            # membership test per model costs less than a pattern over its specs.
            passing.append(_PassingSet(f"models{index}", spec_filter, of_models=True))
            model_flags.append(_Flag(name, dimension, _mo.as_expression().is_in(var(f"models{index}"))))
    always: list[Expression] = []
    counted = _tally_parameter(tallies) if grouped and tallies is not None else None
    if counted is not None:
        always.append(counted.at(_m.prop("key")).is_not_null())  # cohorts with candidates only
    elif request.candidates is not None:
        always.append(_m.as_expression().is_in(var("candidates")))
    ranges = (
        ("year", request.year_min, request.year_max),
        ("hours", request.hours_min, request.hours_max),
        ("price_eur_cents", request.price_min, request.price_max),
    )
    for key, low, high in ranges:
        if low is not None:
            always.append(_m.prop(key) >= low)
        if high is not None:
            always.append(_m.prop(key) <= high)
    facetable = sorted(code for code, info in specs.items() if info.kind in FACETABLE_KINDS)
    model_tallies = None
    if (
        counted is not None
        and tallies is not None
        and request.specs_only
        and not (model_flags or machine_flags)
    ):
        per_model: dict[int, int] = defaultdict(int)
        for key, count in tallies.items():
            per_model[cohort_model_id(key)] += count
        ordered = sorted(per_model)
        # two lists of integers (frozen in one pass each), read side by side
        model_tallies = (
            param(ordered, "model_ids"),
            param([per_model[model_id] for model_id in ordered], "model_counts"),
        )
    return _Plan(
        tuple(model_flags),
        tuple(machine_flags),
        tuple(passing),
        None if grouped else request.candidates,
        tuple(always),
        tuple(code for code in facetable if not specs[code].per_machine),
        tuple(code for code in facetable if specs[code].per_machine),
        grouped,
        counted,
        request.specs_only,
        model_tallies,
    )


def _misses(flags: Sequence[_Flag]) -> Expression:
    total: Expression = func.toInteger(~flags[0].variable)
    for flag in flags[1:]:
        total = total + func.toInteger(~flag.variable)
    return total


def _models(plan: _Plan, *, strict: bool) -> tuple[Query, list[str], list[Any]]:
    """Stage 1: the spec filters' passing sets, then the models (with maker and
    category) that can count: at most one model-level miss, or none when `strict`. Returns
    the query, the passing-set variables and the variables carried."""
    query = Query(schema=CATALOGUE)
    passing: list[str] = []
    if plan.candidates is not None:
        # The candidates as a set of nodes (an index seek each): membership is then a hash
        # lookup per machine, with no property read.
        candidate = node("k", "Machine", properties={"id": var("candidate_id")})
        query = query.unwind(list(plan.candidates), "candidate_id").match(candidate)
        query = query.with_(func.collect(candidate).as_("candidates"))
        passing.append("candidates")
    for found in plan.passing:
        has = rel("r", "HAS_SPEC" if found.of_models else plan.spec_link)
        row = node("x", "Model") if found.of_models else node("p")
        spec = node(None, "Spec", properties={"code": found.spec_filter.code})
        query = (
            query.optional_match(spec.rel_in(has).from_(row))
            .where(_value_condition(has, found.spec_filter))
            .with_(*passing, func.collect(row).as_(found.name))
        )
        passing.append(found.name)
    query = query.match(_mk.rel_out("MADE_MODEL").to(_mo).rel_out("BELONGS_TO_CATEGORY").to(_c))
    carried: list[Any] = [_mk, _mo, _c]
    if not plan.model_flags:
        return query, passing, carried
    if strict:
        return query.where(all_of(*(flag.condition for flag in plan.model_flags))), passing, carried
    query = query.with_(*passing, *carried, *(flag.condition.as_(flag.name) for flag in plan.model_flags))
    carried += [flag.name for flag in plan.model_flags]
    query = query.with_(*passing, *carried, _misses(plan.model_flags).as_("model_misses"))
    return query.where(var("model_misses") <= 1), passing, [*carried, "model_misses"]


def _machine_rows(plan: _Plan) -> Query:
    """Stage 2 for the countries and machine-level specs: one row per machine of a model
    passing every model-level filter (only those can count there), with its machine-level
    flags and `misses` among them."""
    query, _, _ = _models(plan, strict=True)
    query = query.match(_mo.ref().rel_in(plan.machine_link).from_(_m))
    if plan.always:
        query = query.where(all_of(*plan.always))
    if not plan.machine_flags:
        return query
    names = [flag.name for flag in plan.machine_flags]
    query = query.with_(_m, *(flag.condition.as_(flag.name) for flag in plan.machine_flags))
    return query.with_(_m, *names, _misses(plan.machine_flags).as_("misses")).where(_MISSES <= 1)


def _group_counts(plan: _Plan) -> tuple[Query, list[Any]]:
    """Stages 1 and 2 for the model-level facets: per model, its machines counted by pattern
    of machine-level flags (a subquery per model, so the grouping keys stay few)."""
    query, passing, carried = _models(plan, strict=False)
    inner = Query().match(_mo.ref().rel_in(plan.machine_link).from_(_m))
    if plan.always:
        inner = inner.where(all_of(*plan.always))
    names = [flag.name for flag in plan.machine_flags]
    if plan.machine_flags:
        carried_row = [_m] if plan.grouped else []
        inner = inner.with_(*carried_row, *(flag.condition.as_(flag.name) for flag in plan.machine_flags))
        inner = inner.return_(*names, plan.weight().as_("n"))
    else:
        inner = inner.return_(plan.weight().as_("n"))
    if plan.grouped and not plan.machine_flags and plan.tallies is None:
        # every cohort counts whole: the model's machine count, kept beside its cohorts
        query = query.with_(*passing, *carried, _mo.prop("machine_count").as_("n"))
    else:
        query = query.call(inner, scope=(_mo, *passing))
    carried = [*carried, *names, "n"]
    if not plan.flags:
        return query.with_(*carried).where(_N > 0), carried
    carried = [item for item in carried if item != "model_misses"]
    query = query.with_(*carried, _misses(plan.flags).as_("misses")).where((_N > 0) & (_MISSES <= 1))
    return query, [*carried, "misses"]


def models_query(plan: _Plan) -> Rendered:
    """Category, maker and model facets, model-level spec facets and the total (only the
    spec facets when the plan is `specs_only`), as rows ``facet, rows: [[item, number, text, count]]``."""
    if plan.model_tallies is not None and plan.model_specs:
        return _tallied_models_query(plan, plan.model_tallies)
    groups, carried = _group_counts(plan)
    flags = plan.flags

    def part(facet: str, item: Any, where: Expression | None, *, unwind: bool = False) -> Query:
        query = Query().with_(*carried)
        if where is not None:
            query = query.where(where)
        if unwind:
            query, item = query.unwind(item, "item"), var("item")
        columns = (param(facet), item, param(None), param(None), _N)
        return query.return_(*(column.as_(name) for column, name in zip(columns, _COLUMNS, strict=True)))

    parts: list[Query] = []
    if not plan.specs_only:
        parts += [
            part("category", _c.prop("path"), plan.context("category", flags), unwind=True),
            part("maker", _mk.prop("slug"), plan.context("maker", flags)),
            part("model", _mo.prop("slug"), plan.context("model", flags)),
        ]
    if not plan.specs_only or not plan.model_specs:  # (the union needs a part: then the total)
        parts.append(part("total", param(None), _MISSES.eq(0) if flags else None))
    if plan.model_specs:
        spec, has = node("s", "Spec"), rel("r", "HAS_SPEC")
        where: Expression = spec.prop("code").is_in(list(plan.model_specs))
        if flags:
            own = [flag for flag in plan.model_flags if flag.spec_code]
            where = where & any_of(
                _MISSES.eq(0), *(spec.prop("code").eq(f.spec_code) & ~f.variable for f in own)
            )
        columns = (param("spec"), spec.prop("code"), has.prop("number"), has.prop("text"), _N)
        parts.append(
            Query().match(_mo.ref().rel_out(has).to(spec)).where(where)
            .return_(*(column.as_(name) for column, name in zip(columns, _COLUMNS, strict=True)))
        )  # fmt: skip
    union: Query | Union = parts[0]
    for other in parts[1:]:
        union = union.union_all(other)
    query = (
        groups.call(union, scope=tuple(carried))
        .with_("facet", "item", "number", "text", func.sum(var("weight")).as_("tally"))
        .return_("facet", func.collect([var("item"), var("number"), var("text"), var("tally")]).as_("rows"))
    )
    return query.render()


def _tallied_models_query(plan: _Plan, model_tallies: tuple[Param, Param]) -> Rendered:
    """`models_query` for the spec facets alone when the tallies are the only filter: each
    model weighs its catalogue values by its cohorts' tallies, summed beforehand, so the
    query starts from the few hundred models with candidates (an index seek each) instead
    of visiting every model's cohorts and looking each one up in the tallies."""
    ids, counts = model_tallies
    spec, has, wanted, index = node("s"), rel("r", "HAS_SPEC"), node("w", "Spec"), var("i")
    model = node("mo", "Model", properties={"id": ids.at(index)})
    query = (
        Query(schema=CATALOGUE)
        .match(wanted).where(wanted.prop("code").is_in(list(plan.model_specs)))
        .with_(func.collect(wanted).as_("wanted"))
        .unwind(func.range(0, func.size(ids) - 1), "i")
        .match(model.rel_out(has).to(spec)).where(spec.as_expression().is_in(var("wanted")))
        .with_(spec, has.prop("number").as_("number"), has.prop("text").as_("text"), func.sum(counts.at(index)).as_("tally"))
        .return_(param("spec").as_("facet"),
                 func.collect([spec.prop("code"), var("number"), var("text"), var("tally")]).as_("rows"))
    )  # fmt: skip
    return query.render()


def countries_query(plan: _Plan, *, with_ids: bool) -> Rendered:
    """The country facet and the matching ids: ``countries: [[country, count]], ids: [[id]]``."""
    if plan.grouped:
        return _cohort_countries_query(plan, with_ids=with_ids)
    query = _machine_rows(plan)
    context = plan.context("country", plan.machine_flags)
    matching: Expression = _m.prop("id")
    if plan.machine_flags:
        own = [flag.name for flag in plan.machine_flags if flag.dimension == "country"]
        query = query.with_(_m, "misses", *own)
        matching = case().when(_MISSES.eq(0), _m.prop("id"))
    if context is not None:
        query = query.where(context)
    items: list[Any] = [_m.prop("country").as_("country"), func.count().as_("n")]
    returned: list[Any] = [func.collect([var("country"), _N]).as_("countries")]
    if with_ids:
        items.append(func.collect(matching).as_("ids"))
        returned.append(func.collect(var("ids")).as_("ids"))
    return query.with_(*items).return_(*returned).render()


def _cohort_countries_query(plan: _Plan, *, with_ids: bool) -> Rendered:
    """`countries_query` over cohorts: no country filter applies (or cohorts would not be
    asked), so the country facet counts the matching cohorts' machines by country, read from
    each cohort's tally, and the ids are the matching cohorts' id lists. With tallies, only
    the matching cohorts' keys (``ids``): the selector holds their machines and countries."""
    query = _machine_rows(plan)
    if plan.machine_flags:
        query = query.with_(_m, "misses").where(_MISSES.eq(0))
    if plan.tallies is not None:
        return query.return_(func.collect(_m.prop("key")).as_("ids")).render()
    collected: list[Any] = [func.collect(_m).as_("cohorts")]
    if with_ids:
        collected.append(func.collect(_m.prop("machine_ids")).as_("ids"))
    index, countries, counts = var("i"), var("cs"), var("ns")
    tally = (  # each cohort's two lists read once, not once per element
        Query()
        .unwind(var("cohorts"), "m")
        .with_(_m.prop("countries").as_("cs"), _m.prop("country_counts").as_("ns"))
        .unwind(func.range(0, func.size(countries) - 1), "i")
        .with_(countries.at(index).as_("country"), func.sum(counts.at(index)).as_("n"))
        .return_(func.collect([var("country"), _N]).as_("countries"))
    )
    query = query.with_(*collected).call(tally, scope=("cohorts",))
    return query.return_("countries", *(["ids"] if with_ids else [])).render()


def machine_specs_query(plan: _Plan, *, with_keys: bool = False) -> Rendered | None:
    """Facets of the specs some machine overrides, from the machines' own relationships:
    ``rows: [[code, number, text, count]]``. The machines counting are collected into sets
    first; then either each machine's relationships are walked (few machines) or each spec's
    relationships are read once and kept when their machine is in a set (many machines).
    `with_keys` (cohorts weighted by tallies): also ``ids``, the matching cohorts' keys, the
    set `_cohort_countries_query` would collect, so that query need not run."""
    if not plan.machine_specs:
        return None
    if with_keys and not (plan.grouped and plan.tallies is not None):
        raise ValueError("only cohorts weighted by tallies return their keys with the machine-level specs")
    if plan.tallies is not None and not plan.flags and not with_keys:
        return _tallied_specs_query(plan)
    query = _machine_rows(plan)
    own = [flag for flag in plan.machine_flags if flag.spec_code]
    sets: dict[str, Expression] = {"matching": _m.as_expression()}
    if plan.machine_flags:
        query = query.with_(_m, "misses", *(flag.name for flag in own))
        query = query.where(any_of(_MISSES.eq(0), *(~flag.variable for flag in own)))
        sets = {"matching": case().when(_MISSES.eq(0), _m)}
        sets.update({f"without_{flag.name}": case().when(~flag.variable, _m) for flag in own})
    collected = [func.collect(value).as_(name) for name, value in sets.items()]
    if with_keys:  # the matching cohorts' keys
        collected.append(
            func.collect(
                case().when(_MISSES.eq(0), _m.prop("key")) if plan.machine_flags else _m.prop("key")
            ).as_("ids")
        )
    query = query.with_(*collected)
    spec, has, machine = node("s", "Spec"), rel("r", plan.spec_link), node("p")
    # Hash lookups first: a spec's code (a property read) only for the few rows that need it.
    in_sets = any_of(
        machine.as_expression().is_in(var("matching")),
        *(
            machine.as_expression().is_in(var(f"without_{flag.name}")) & spec.prop("code").eq(flag.spec_code)
            for flag in own
        ),
    )
    codes = list(plan.machine_specs)
    size: Expression = func.size(var("matching"))
    for name in list(sets)[1:]:
        size = size + func.size(var(name))
    columns = (
        spec.as_expression(),
        has.prop("number").as_("number"),
        has.prop("text").as_("text"),
        plan.weight(machine).as_("tally"),
    )
    wanted = node("w", "Spec")
    limit = COHORT_SIDE_LIMIT if plan.grouped else MACHINE_SIDE_LIMIT
    # The sets are disjoint (a row in `without_x` misses x, so it is not matching, and a row
    # missing two filters counts nowhere), so each is walked with its own spec condition and
    # no membership test.
    walks = [("matching", spec.as_expression().is_in(var("wanted")))]
    walks += [(f"without_{flag.name}", spec.prop("code").eq(flag.spec_code)) for flag in own]

    def walk(name: str, condition: Expression) -> Query:
        return (
            Query().with_(*sets).where(size <= limit)
            .match(wanted).where(wanted.prop("code").is_in(codes))
            .with_(var(name), func.collect(wanted).as_("wanted"))
            .unwind(var(name), "p")
            .match(machine.ref().rel_out(has).to(node("s")))
            .where(condition)
            .return_(*columns)
        )  # fmt: skip

    from_machines: Query | Union = walk(*walks[0])
    for name, condition in walks[1:]:
        from_machines = from_machines.union_all(walk(name, condition))
    from_specs = (
        Query()
        .with_(*sets)
        .where(size > limit)
        .match(spec.rel_in(has).from_(machine))
        .where(spec.prop("code").is_in(codes) & in_sets)
        .return_(*columns)
    )
    walked = from_machines.union_all(from_specs)

    def counted(rows: Query) -> Query:
        return rows.with_(spec, "number", "text", func.sum(var("tally")).as_("tally")).return_(
            func.collect([spec.prop("code"), var("number"), var("text"), var("tally")]).as_("rows")
        )

    if not with_keys:
        return counted(query.call(walked, scope=tuple(sets))).render()
    # Counted in a subquery of the one row holding the sets, so that the keys beside them
    # are not a grouping key of the aggregation (a list of thousands hashed per row).
    inner = counted(Query().call(walked, scope=tuple(sets)))
    return query.call(inner, scope=tuple(sets)).return_("rows", "ids").render()


def _tallied_specs_query(plan: _Plan) -> Rendered:
    """`machine_specs_query` when the tallies are the only filter (the engine applied every
    other): each cohort with a tally counts, so one pass over the specs' relationships reads
    every value, with no walk from the models to find the cohorts first."""
    spec, has, cohort = node("s", "Spec"), rel("r", "COHORT_HAS_SPEC"), node("p")
    query = (
        Query(schema=CATALOGUE)
        .match(spec.rel_in(has).from_(cohort)).where(spec.prop("code").is_in(list(plan.machine_specs)))
        .with_(spec, has, plan.count(cohort).as_("n")).where(_N.is_not_null())
        .with_(spec, has.prop("number").as_("number"), has.prop("text").as_("text"), func.sum(_N).as_("tally"))
        .return_(func.collect([spec.prop("code"), var("number"), var("text"), var("tally")]).as_("rows"))
    )  # fmt: skip
    return query.render()


def cohort_members_query() -> Rendered:
    """Every cohort's key, machine ids and their countries (``cohorts, ids, countries``: three
    lists in the same order), from which
    the selector counts text candidates per cohort."""
    cohort = node("co", "Cohort")
    # one record of three lists: the driver takes far longer over 5,000 records of one each
    columns = (
        func.collect(cohort.prop("key")).as_("cohorts"),
        func.collect(cohort.prop("machine_ids")).as_("ids"),
        func.collect(cohort.prop("machine_countries")).as_("countries"),
    )
    return Query(schema=CATALOGUE).match(cohort).return_(*columns).render()


@dataclass(frozen=True)
class FacetQueries:
    models: Rendered
    # None when `machine_specs` returns the matching cohorts' keys itself (cohorts weighted
    # by tallies: then the keys are all this query would give)
    countries: Rendered | None
    machine_specs: Rendered | None


def build_facet_queries(
    request: FacetRequest,
    specs: Mapping[str, SpecInfo],
    *,
    grouped: bool | None = None,
    tallies: Tallies | None = None,
) -> FacetQueries:
    """The queries answering `request`; `specs` holds every spec definition by code. Cohorts
    answer whenever they can (`can_group`; with text candidates, given their `tallies`),
    machines otherwise; `grouped` forces a choice (tests compare the two). Raises
    FacetRequestError for a spec filter `validate` refuses."""
    validate(request, specs)
    if request.tallies is not None:
        if request.with_countries:
            raise ValueError("the engine's tallies have no countries: ask without the country facet")
        if (
            request.candidates is not None
            or not can_group(request)
            or grouped is False
            or tallies not in (None, request.tallies)
        ):
            raise ValueError(
                "tallies from the engine are counted by cohorts alone, with no candidates, year, "
                "hours, price or country filter"
            )
        tallies = request.tallies
    if grouped is None:
        grouped = can_group(request) and (request.candidates is None or tallies is not None)
    elif grouped and not can_group(request):
        raise ValueError("cohorts cannot answer a request with year, hours, price or country filters")
    if grouped and request.candidates is not None and tallies is None:
        raise ValueError("cohorts count text candidates only from their tallies")
    plan = _plan(request, specs, grouped=grouped, tallies=tallies)
    # With tallies, the countries query would only collect the matching cohorts' keys: the
    # machine-level specs query walks the same rows, so it collects them (one query fewer).
    keys_with_specs = (
        plan.tallies is not None and bool(plan.machine_specs) and (request.with_ids or request.with_countries)
    )
    return FacetQueries(
        models_query(plan),
        None if keys_with_specs else countries_query(plan, with_ids=request.with_ids),
        machine_specs_query(plan, with_keys=keys_with_specs),
    )
