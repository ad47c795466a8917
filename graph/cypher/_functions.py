"""Function calls (checked against an allow-list), CASE, list elements, and AND/OR over lists
of conditions."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from graph.cypher._errors import QueryStructureError, UnknownFunctionError
from graph.cypher._expressions import (
    POSTFIX,
    BooleanOperation,
    Expression,
    ExpressionLike,
    to_condition,
    to_expression,
)

if TYPE_CHECKING:
    from graph.cypher._render import RenderContext

__all__ = [
    "AGGREGATING_FUNCTIONS",
    "ALLOWED_FUNCTIONS",
    "Case",
    "CountAll",
    "Element",
    "FunctionCall",
    "all_of",
    "any_of",
    "case",
    "func",
]

AGGREGATING_FUNCTIONS = frozenset(
    {"avg", "collect", "count", "max", "min", "percentileCont", "percentileDisc", "stDev", "stDevP", "sum"}
)

# Function names are written into the text as they are, so only these can be called.
ALLOWED_FUNCTIONS = AGGREGATING_FUNCTIONS | frozenset(
    """
    abs ceil coalesce date date.truncate datetime datetime.truncate duration
    duration.between elementId endNode exp floor head isEmpty keys labels last left length
    localdatetime localtime log log10 ltrim nodes point point.distance properties rand
    randomUUID range relationships replace reverse right round rtrim sign size split sqrt
    startNode substring tail time timestamp toBoolean toBooleanOrNull toFloat toFloatOrNull
    toInteger toIntegerOrNull toLower toString toStringOrNull toUpper trim type
    """.split()  # noqa: SIM905  # a word list reads better as text
)


def _check_function(name: object) -> str:
    if isinstance(name, str) and name in ALLOWED_FUNCTIONS:
        return name
    close = difflib.get_close_matches(str(name), ALLOWED_FUNCTIONS, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownFunctionError(f"function {name!r} is not on the allow-list{hint}")


@dataclass(frozen=True)
class FunctionCall(Expression):
    name: str
    arguments: tuple[Expression, ...]
    distinct: bool = False

    def __post_init__(self) -> None:
        _check_function(self.name)
        if self.distinct:
            if self.name not in AGGREGATING_FUNCTIONS:
                raise QueryStructureError(
                    f"DISTINCT only applies to aggregating functions, not {self.name}()"
                )
            if len(self.arguments) != 1:
                raise QueryStructureError(f"{self.name}(DISTINCT ...) takes exactly one argument")

    @property
    def is_aggregate(self) -> bool:
        return self.name in AGGREGATING_FUNCTIONS

    def _render(self, context: RenderContext) -> str:
        arguments = ", ".join(argument._render(context) for argument in self.arguments)
        return f"{self.name}({'DISTINCT ' if self.distinct else ''}{arguments})"


@dataclass(frozen=True)
class CountAll(Expression):
    """``count(*)``: the number of rows."""

    is_aggregate = True

    def _render(self, context: RenderContext) -> str:
        return "count(*)"


class Functions:
    """Calls allowed functions: ``func.collect(m)``, ``func.toInteger(x)``,
    ``func.count()`` for ``count(*)``, ``func.count(m, distinct=True)``, or
    ``func("date.truncate", "month", d)`` for dotted names.

    Arguments are expressions or values (values become parameters)."""

    __slots__ = ()

    def __call__(self, name: str, *arguments: ExpressionLike, distinct: bool = False) -> FunctionCall:
        return FunctionCall(
            _check_function(name), tuple(to_expression(argument) for argument in arguments), distinct
        )

    def count(self, argument: ExpressionLike = None, /, *, distinct: bool = False) -> Expression:
        if argument is None:
            if distinct:
                raise QueryStructureError("count(DISTINCT *) is not Cypher; pass the expression to count")
            return CountAll()
        return self("count", argument, distinct=distinct)

    def __getattr__(self, name: str) -> Callable[..., FunctionCall]:
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self.__call__, _check_function(name))


func = Functions()


@dataclass(frozen=True)
class Case(Expression):
    """``CASE [subject] WHEN ... THEN ... [ELSE ...] END``; build it with `case`."""

    subject: Expression | None = None
    branches: tuple[tuple[Expression, Expression], ...] = ()
    default: Expression | None = None

    def when(self, match: ExpressionLike, then: ExpressionLike) -> Case:
        """Add a branch: `match` is a value to compare the subject with (simple form) or a
        condition (generic form, `case()` without subject)."""
        key = to_expression(match) if self.subject is not None else to_condition(match, "case().when()")
        return replace(self, branches=(*self.branches, (key, to_expression(then))))

    def else_(self, value: ExpressionLike) -> Case:
        return replace(self, default=to_expression(value))

    def _render(self, context: RenderContext) -> str:
        if not self.branches:
            raise QueryStructureError("CASE needs at least one .when() branch")
        parts = ["CASE"]
        if self.subject is not None:
            parts.append(self.subject._render(context))
        for key, then in self.branches:
            parts.append(f"WHEN {key._render(context)} THEN {then._render(context)}")
        if self.default is not None:
            parts.append(f"ELSE {self.default._render(context)}")
        parts.append("END")
        return " ".join(parts)


@dataclass(frozen=True)
class Element(Expression):
    """``subject[index]``, from `Expression.at`."""

    subject: Expression
    index: Expression

    def _level(self) -> int:
        return POSTFIX

    def _render(self, context: RenderContext) -> str:
        return f"{self.subject._operand(context, POSTFIX)}[{self.index._render(context)}]"


def case(subject: ExpressionLike | None = None) -> Case:
    """Start a CASE expression: ``case(m.prop("status")).when("sold", 0).else_(1)``
    compares a subject with values; ``case().when(m.prop("hours") > 5000, "high")`` tests
    conditions."""
    return Case(None if subject is None else to_expression(subject))


def all_of(*conditions: ExpressionLike) -> Expression:
    """Conditions joined with AND (for a list of filters built in a loop)."""
    return _join("AND", conditions, "all_of()")


def any_of(*conditions: ExpressionLike) -> Expression:
    """Conditions joined with OR."""
    return _join("OR", conditions, "any_of()")


def _join(operator: str, conditions: tuple[ExpressionLike, ...], where: str) -> Expression:
    if not conditions:
        raise QueryStructureError(f"{where} needs at least one condition")
    result = to_condition(conditions[0], where)
    for condition in conditions[1:]:
        result = BooleanOperation.combine(operator, result, to_condition(condition, where))
    return result
