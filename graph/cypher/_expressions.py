"""Expressions: parameters, variables, property access and operators.

Expressions are frozen dataclasses combined with Python operators::

    (m.prop("year") >= 2015) & mk.prop("slug").is_in(["kubota", "takeuchi"])

* ``<  <=  >  >=  +  -  *  /  %  **`` and unary ``-`` build Cypher operators;
  ``&  |  ^  ~`` build ``AND  OR  XOR  NOT``. Python binds ``&`` tighter than
  comparisons, so parenthesise comparisons you combine: ``(a >= 1) & (b < 2)``.
* ``==`` and ``!=`` keep their Python meaning (comparing builder objects); build Cypher
  equality with ``.eq()`` and ``.ne()``. Passing the resulting Python bool where a
  condition is expected raises QueryStructureError, and ``bool(expression)`` raises
  TruthValueError, so the mistake cannot go unnoticed.
* Any Python value in an operand becomes a bound parameter; see `param`.

Parentheses are written only where Cypher's precedence needs them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from graph.cypher._errors import QueryStructureError, TruthValueError
from graph.cypher._schema import check_identifier, check_property_key, check_variable
from graph.cypher._values import FrozenValue, Scalar, Value, freeze

if TYPE_CHECKING:
    from graph.cypher._clauses import Aliased, SetItem, SortItem
    from graph.cypher._functions import Element
    from graph.cypher._render import RenderContext

__all__ = [
    "BinaryOperation",
    "BooleanOperation",
    "Expressible",
    "Expression",
    "ExpressionLike",
    "ListLiteral",
    "MapLiteral",
    "Param",
    "Property",
    "UnaryOperation",
    "Variable",
    "param",
    "to_condition",
    "to_expression",
    "to_projected",
    "var",
]

# Binding strength, weakest first, following the Cypher 5 grammar: predicates (IN,
# STARTS WITH, IS NULL...) bind tighter than comparisons and cannot be chained, and the
# operand of unary minus is a postfix expression, so `- -x` needs parentheses.
OR, XOR, AND, NOT, COMPARISON, PREDICATE, ADDITIVE, MULTIPLICATIVE, POWER, UNARY, POSTFIX, ATOM = range(1, 13)


class Expressible(ABC):
    """Anything usable where an expression is expected (patterns stand for their variable)."""

    __slots__ = ()

    @abstractmethod
    def as_expression(self) -> Expression: ...


ExpressionLike: TypeAlias = Expressible | Scalar | Sequence["ExpressionLike"] | Mapping[str, "ExpressionLike"]


def _holds_expression(value: object) -> bool:
    if isinstance(value, Expressible):
        return True
    if isinstance(value, list | tuple):
        return any(_holds_expression(item) for item in value)
    if isinstance(value, Mapping):
        return any(_holds_expression(item) for item in value.values())
    return False


def to_expression(value: ExpressionLike) -> Expression:
    """An expression for `value`: patterns become their variable, plain values a parameter,
    and lists or maps that contain expressions a list or map literal."""
    if isinstance(value, Expressible):
        return value.as_expression()
    if isinstance(value, list | tuple) and _holds_expression(value):
        return ListLiteral(tuple(to_expression(item) for item in value))
    if isinstance(value, Mapping) and _holds_expression(value):
        return MapLiteral(tuple((key, to_expression(item)) for key, item in value.items()))
    return Param(freeze(value))


def to_projected(value: ExpressionLike) -> Expression:
    """Like `to_expression`, except that a string names a variable or alias; used by WITH,
    RETURN, ORDER BY and DELETE, where a bare name is what one means."""
    if isinstance(value, str):
        return Variable(value)
    return to_expression(value)


def to_condition(value: ExpressionLike, where: str) -> Expression:
    if isinstance(value, bool):
        raise QueryStructureError(
            f"{where} got the Python bool {value!r}, not a Cypher expression; == and != compare "
            "builder objects in Python, build Cypher equality with .eq() and .ne()"
        )
    return to_expression(value)


def _binary(
    operator: str, *, reflected: bool = False
) -> Callable[[Expression, ExpressionLike], BinaryOperation]:
    def method(self: Expression, other: ExpressionLike) -> BinaryOperation:
        if reflected:
            return BinaryOperation(operator, to_expression(other), self)
        return BinaryOperation(operator, self, to_expression(other))

    method.__doc__ = f"``{'other' if reflected else 'self'} {operator} {'self' if reflected else 'other'}``"
    return method


def _boolean(
    operator: str, *, reflected: bool = False
) -> Callable[[Expression, ExpressionLike], BooleanOperation]:
    def method(self: Expression, other: ExpressionLike) -> BooleanOperation:
        condition = to_condition(other, f"the {operator} operator")
        if reflected:
            return BooleanOperation.combine(operator, condition, self)
        return BooleanOperation.combine(operator, self, condition)

    method.__doc__ = f"``self {operator} other``, flattened with operands that use {operator} too"
    return method


@dataclass(frozen=True)
class Expression(Expressible):
    """Base class of everything that renders to a Cypher expression."""

    def as_expression(self) -> Expression:
        return self

    def _level(self) -> int:
        return ATOM

    @abstractmethod
    def _render(self, context: RenderContext) -> str: ...

    def _operand(self, context: RenderContext, minimum: int) -> str:
        """Render as an operand that must bind at least as tightly as `minimum`."""
        text = self._render(context)
        return text if self._level() >= minimum else f"({text})"

    def __bool__(self) -> bool:
        raise TruthValueError(
            "a Cypher expression has no Python truth value; combine conditions with & | ^ ~ "
            "(not and/or/not), and write ranges as (low <= x) & (x < high)"
        )

    # Property access, aliases and ordering.
    def prop(self, key: str) -> Property:
        return Property(self, key)

    def at(self, index: ExpressionLike) -> Element:
        """``list[index]``: one element of a list (a Python index becomes a parameter)."""
        from graph.cypher._functions import Element

        return Element(self, to_expression(index))

    def as_(self, alias: str) -> Aliased:
        """``expression AS alias``, for WITH and RETURN."""
        from graph.cypher._clauses import Aliased

        return Aliased(self, alias)

    def asc(self) -> SortItem:
        from graph.cypher._clauses import SortItem

        return SortItem(self, descending=False)

    def desc(self) -> SortItem:
        from graph.cypher._clauses import SortItem

        return SortItem(self, descending=True)

    # Operators; see the module docstring. Values on either side become parameters.
    eq = _binary("=")
    ne = _binary("<>")
    __lt__ = _binary("<")
    __le__ = _binary("<=")
    __gt__ = _binary(">")
    __ge__ = _binary(">=")
    is_in = _binary("IN")
    starts_with = _binary("STARTS WITH")
    ends_with = _binary("ENDS WITH")
    contains = _binary("CONTAINS")
    __add__, __radd__ = _binary("+"), _binary("+", reflected=True)
    __sub__, __rsub__ = _binary("-"), _binary("-", reflected=True)
    __mul__, __rmul__ = _binary("*"), _binary("*", reflected=True)
    __truediv__, __rtruediv__ = _binary("/"), _binary("/", reflected=True)
    __mod__, __rmod__ = _binary("%"), _binary("%", reflected=True)
    __pow__, __rpow__ = _binary("^"), _binary("^", reflected=True)
    __and__, __rand__ = _boolean("AND"), _boolean("AND", reflected=True)
    __or__, __ror__ = _boolean("OR"), _boolean("OR", reflected=True)
    __xor__, __rxor__ = _boolean("XOR"), _boolean("XOR", reflected=True)

    def is_null(self) -> UnaryOperation:
        return UnaryOperation("IS NULL", self)

    def is_not_null(self) -> UnaryOperation:
        return UnaryOperation("IS NOT NULL", self)

    def __neg__(self) -> UnaryOperation:
        return UnaryOperation("-", self)

    def __invert__(self) -> UnaryOperation:
        return UnaryOperation("NOT", self)


@dataclass(frozen=True)
class Param(Expression):
    """A value bound as a parameter. Reuse one `Param` object to bind a value once."""

    value: FrozenValue
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", freeze(self.value))
        if self.name is not None:
            check_identifier(self.name, "parameter name")

    def _render(self, context: RenderContext) -> str:
        return context.parameter(self)


@dataclass(frozen=True)
class Variable(Expression):
    name: str

    def __post_init__(self) -> None:
        check_variable(self.name)

    def _render(self, context: RenderContext) -> str:
        return self.name

    def set_to(self, value: ExpressionLike) -> SetItem:
        """``SET n = value``: replace all properties with those of a map."""
        from graph.cypher._clauses import SetProperties

        return SetProperties(self, to_expression(value), merge=False)

    def merge_with(self, value: ExpressionLike) -> SetItem:
        """``SET n += value``: add or overwrite the properties of a map."""
        from graph.cypher._clauses import SetProperties

        return SetProperties(self, to_expression(value), merge=True)

    def add_labels(self, *labels: str) -> SetItem:
        """``SET n:Label1:Label2``."""
        from graph.cypher._clauses import SetLabels

        return SetLabels(self, labels)


@dataclass(frozen=True)
class Property(Expression):
    subject: Expression
    key: str

    def __post_init__(self) -> None:
        check_property_key(self.key)

    def _level(self) -> int:
        return POSTFIX

    def _render(self, context: RenderContext) -> str:
        return f"{self.subject._operand(context, POSTFIX)}.{context.schema.quote_property_key(self.key)}"

    def set_to(self, value: ExpressionLike) -> SetItem:
        """``SET n.key = value``."""
        from graph.cypher._clauses import SetProperty

        return SetProperty(self, to_expression(value))


# operator: (binding level, whether the left operand may be the same operator unbracketed).
# Comparisons and predicates do not chain (`a < b < c` is a range, `x IN l IS NULL` a
# syntax error), arithmetic is left-associative (`a - b - c`, but `a - (b - c)`).
_BINARY: dict[str, tuple[int, bool]] = {
    **dict.fromkeys(("=", "<>", "<", "<=", ">", ">="), (COMPARISON, False)),
    **dict.fromkeys(("IN", "STARTS WITH", "ENDS WITH", "CONTAINS"), (PREDICATE, False)),
    **dict.fromkeys(("+", "-"), (ADDITIVE, True)),
    **dict.fromkeys(("*", "/", "%"), (MULTIPLICATIVE, True)),
    "^": (POWER, True),
}
# operator: (binding level, weakest operand written without brackets, prefix or suffix).
_UNARY: dict[str, tuple[int, int, bool]] = {
    "NOT": (NOT, NOT, True),
    "-": (UNARY, POSTFIX, True),  # `- -x` is not Cypher, `-(-x)` is
    "IS NULL": (PREDICATE, PREDICATE + 1, False),
    "IS NOT NULL": (PREDICATE, PREDICATE + 1, False),
}
_BOOLEAN = {"OR": OR, "XOR": XOR, "AND": AND}


def _check_operator(operator: str, known: Mapping[str, object]) -> None:
    # Operators are written into the text, so only known ones may be constructed.
    if operator not in known:
        raise QueryStructureError(f"unknown operator {operator!r}")


@dataclass(frozen=True)
class BinaryOperation(Expression):
    """A comparison, predicate (IN, STARTS WITH...) or arithmetic operation."""

    operator: str
    left: Expression
    right: Expression

    def __post_init__(self) -> None:
        _check_operator(self.operator, _BINARY)

    def _level(self) -> int:
        return _BINARY[self.operator][0]

    def _render(self, context: RenderContext) -> str:
        level, chains = _BINARY[self.operator]
        left = self.left._operand(context, level if chains else level + 1)
        return f"{left} {self.operator} {self.right._operand(context, level + 1)}"


@dataclass(frozen=True)
class UnaryOperation(Expression):
    """``NOT x``, ``-x``, ``x IS NULL`` or ``x IS NOT NULL``."""

    operator: str
    operand: Expression

    def __post_init__(self) -> None:
        _check_operator(self.operator, _UNARY)

    def _level(self) -> int:
        return _UNARY[self.operator][0]

    def _render(self, context: RenderContext) -> str:
        _, minimum, prefix = _UNARY[self.operator]
        operand = self.operand._operand(context, minimum)
        if not prefix:
            return f"{operand} {self.operator}"
        return f"{self.operator} {operand}" if self.operator.isalpha() else self.operator + operand


@dataclass(frozen=True)
class BooleanOperation(Expression):
    """``AND``, ``OR`` or ``XOR`` over two or more operands (all three are associative)."""

    operator: str
    operands: tuple[Expression, ...]

    def __post_init__(self) -> None:
        _check_operator(self.operator, _BOOLEAN)

    @classmethod
    def combine(cls, operator: str, left: Expression, right: Expression) -> BooleanOperation:
        operands: list[Expression] = []
        for operand in (left, right):
            if isinstance(operand, BooleanOperation) and operand.operator == operator:
                operands.extend(operand.operands)
            else:
                operands.append(operand)
        return cls(operator, tuple(operands))

    def _level(self) -> int:
        return _BOOLEAN[self.operator]

    def _render(self, context: RenderContext) -> str:
        level = self._level()
        return f" {self.operator} ".join(operand._operand(context, level + 1) for operand in self.operands)


@dataclass(frozen=True)
class ListLiteral(Expression):
    items: tuple[Expression, ...]

    def _render(self, context: RenderContext) -> str:
        return "[" + ", ".join(item._render(context) for item in self.items) + "]"


@dataclass(frozen=True)
class MapLiteral(Expression):
    entries: tuple[tuple[str, Expression], ...]

    def __post_init__(self) -> None:
        for key, _ in self.entries:
            check_property_key(key)

    def _render(self, context: RenderContext) -> str:
        return render_map(self.entries, context)


def render_map(entries: tuple[tuple[str, Expression], ...], context: RenderContext) -> str:
    quote_key = context.schema.quote_property_key
    return "{" + ", ".join(f"{quote_key(key)}: {value._render(context)}" for key, value in entries) + "}"


def param(value: Value, name: str | None = None) -> Param:
    """Bind `value` as a parameter, optionally under an explicit ``$name``.

    Every use of the returned object renders the same parameter; two `param` objects are
    always two parameters, and two of them with the same explicit name raise
    ParameterCollisionError when the query is rendered."""
    return Param(freeze(value), name)


def var(name: str) -> Variable:
    """Refer to a variable or alias by name, e.g. ``var("row").prop("id")`` after UNWIND."""
    return Variable(name)
