"""Graph patterns: nodes, relationships, paths, and the EXISTS { } subquery.

A path is written from its first node, one hop at a time::

    m.rel_out("IS_OF_MODEL").to(mo).rel_in("MADE_MODEL").from_(mk)
    # (m:`Machine`)-[:`IS_OF_MODEL`]->(mo:`Model`)<-[:`MADE_MODEL`]-(mk:`Maker`)

``rel_out`` continues with ``.to(node)``, ``rel_in`` with ``.from_(node)`` and
``rel_undirected`` with ``.to(node)``, so the code reads in the direction of the arrow.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypeAlias

from graph.cypher._errors import QueryStructureError
from graph.cypher._expressions import (
    Expressible,
    Expression,
    ExpressionLike,
    Property,
    Variable,
    render_map,
    to_condition,
    to_expression,
)
from graph.cypher._schema import check_label, check_property_key, check_relationship_type, check_variable

if TYPE_CHECKING:
    from graph.cypher._clauses import SetItem
    from graph.cypher._render import RenderContext

__all__ = [
    "Direction",
    "Exists",
    "Hop",
    "IncomingStep",
    "NodePattern",
    "OutgoingStep",
    "Path",
    "Pattern",
    "RelationshipPattern",
    "UndirectedStep",
    "VarLength",
    "exists",
    "node",
    "rel",
    "var_length",
]

Direction: TypeAlias = Literal["out", "in", "undirected"]
PropertyMap: TypeAlias = tuple[tuple[str, Expression], ...]


def _property_map(properties: Mapping[str, ExpressionLike] | None) -> PropertyMap:
    if properties is None:
        return ()
    return tuple((check_property_key(key), to_expression(value)) for key, value in properties.items())


def _variable(name: str | None) -> str | None:
    return None if name is None else check_variable(name)


def _bound(variable: str | None, what: str) -> Variable:
    if variable is None:
        raise QueryStructureError(f"this {what} has no variable, so it cannot be referred to")
    return Variable(variable)


@dataclass(frozen=True)
class VarLength:
    """A variable-length relationship: ``*``, ``*2``, ``*1..3``, ``*..2`` or ``*2..``."""

    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        for bound in (self.minimum, self.maximum):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or bound < 0):
                raise QueryStructureError(f"hop counts must be non-negative integers, got {bound!r}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise QueryStructureError(f"minimum hops {self.minimum} exceed maximum hops {self.maximum}")

    def _render(self) -> str:
        if self.minimum is None and self.maximum is None:
            return "*"
        if self.minimum == self.maximum:
            return f"*{self.minimum}"
        lower = "" if self.minimum is None else str(self.minimum)
        upper = "" if self.maximum is None else str(self.maximum)
        return f"*{lower}..{upper}"


def var_length(minimum: int | None = None, maximum: int | None = None) -> VarLength:
    """Hop bounds for `rel_out(..., length=...)`; hop counts are structure, not values,
    so they are validated integers written into the text."""
    return VarLength(minimum, maximum)


@dataclass(frozen=True)
class RelationshipPattern(Expressible):
    """``[r:TYPE_A|TYPE_B*1..3 {key: value}]``; several types are alternatives."""

    variable: str | None = None
    types: tuple[str, ...] = ()
    length: VarLength | None = None
    properties: PropertyMap = ()

    def __post_init__(self) -> None:
        _variable(self.variable)
        for relationship_type in self.types:
            check_relationship_type(relationship_type)

    def as_expression(self) -> Variable:
        return _bound(self.variable, "relationship")

    def prop(self, key: str) -> Property:
        if self.length is not None:
            raise QueryStructureError(
                "a variable-length relationship variable is a list and has no properties"
            )
        return Property(self.as_expression(), key)

    def _render(self, context: RenderContext, direction: Direction) -> str:
        inner = self.variable or ""
        if self.types:
            inner += ":" + "|".join(context.schema.quote_relationship_type(name) for name in self.types)
        if self.length is not None:
            inner += self.length._render()
        if self.properties:
            inner += (" " if inner else "") + render_map(self.properties, context)
        body = f"-[{inner}]-" if inner else "--"
        if direction == "out":
            return body + ">"
        if direction == "in":
            return "<" + body
        return body


def rel(
    variable: str | None = None,
    *types: str,
    length: VarLength | None = None,
    properties: Mapping[str, ExpressionLike] | None = None,
) -> RelationshipPattern:
    """A relationship to reuse or refer to: ``r = rel("r", "HAS_MACHINE_SPEC")``, then
    ``m.rel_out(r).to(s)`` and ``r.prop("value_number")``."""
    return RelationshipPattern(variable, types, length, _property_map(properties))


def _relationship(
    specification: tuple[str | RelationshipPattern, ...],
    variable: str | None,
    length: VarLength | None,
    properties: Mapping[str, ExpressionLike] | None,
) -> RelationshipPattern:
    keywords_given = variable is not None or length is not None or properties is not None
    if len(specification) == 1 and isinstance(specification[0], RelationshipPattern) and not keywords_given:
        return specification[0]
    if any(isinstance(item, RelationshipPattern) for item in specification):
        raise QueryStructureError("pass either one rel(...) object or types and keywords, not both")
    types = tuple(check_relationship_type(item) for item in specification)
    return RelationshipPattern(variable, types, length, _property_map(properties))


class _Walkable(Expressible):
    """Something a path can continue from: a node or a path."""

    __slots__ = ()

    @abstractmethod
    def _as_path(self) -> Path: ...

    def rel_out(
        self,
        *types: str | RelationshipPattern,
        variable: str | None = None,
        length: VarLength | None = None,
        properties: Mapping[str, ExpressionLike] | None = None,
    ) -> OutgoingStep:
        """``-[...]->``; finish the hop with ``.to(node)``."""
        return OutgoingStep(self._as_path(), _relationship(types, variable, length, properties))

    def rel_in(
        self,
        *types: str | RelationshipPattern,
        variable: str | None = None,
        length: VarLength | None = None,
        properties: Mapping[str, ExpressionLike] | None = None,
    ) -> IncomingStep:
        """``<-[...]-``; finish the hop with ``.from_(node)``."""
        return IncomingStep(self._as_path(), _relationship(types, variable, length, properties))

    def rel_undirected(
        self,
        *types: str | RelationshipPattern,
        variable: str | None = None,
        length: VarLength | None = None,
        properties: Mapping[str, ExpressionLike] | None = None,
    ) -> UndirectedStep:
        """``-[...]-``; finish the hop with ``.to(node)``."""
        return UndirectedStep(self._as_path(), _relationship(types, variable, length, properties))


@dataclass(frozen=True)
class NodePattern(_Walkable):
    """``(variable:Label1:Label2 {key: value})``; stands for its variable in expressions."""

    variable: str | None = None
    labels: tuple[str, ...] = ()
    properties: PropertyMap = ()

    def __post_init__(self) -> None:
        _variable(self.variable)
        for label in self.labels:
            check_label(label)

    def as_expression(self) -> Variable:
        return _bound(self.variable, "node")

    def prop(self, key: str) -> Property:
        return Property(self.as_expression(), key)

    def ref(self) -> NodePattern:
        """The same node by variable only, e.g. in a MERGE after the node was matched."""
        return NodePattern(self.as_expression().name)

    def set_to(self, value: ExpressionLike) -> SetItem:
        """``SET n = map``."""
        return self.as_expression().set_to(value)

    def merge_with(self, value: ExpressionLike) -> SetItem:
        """``SET n += map``."""
        return self.as_expression().merge_with(value)

    def add_labels(self, *labels: str) -> SetItem:
        """``SET n:Label``."""
        return self.as_expression().add_labels(*labels)

    def _as_path(self) -> Path:
        return Path(self)

    def _render(self, context: RenderContext) -> str:
        inner = self.variable or ""
        inner += "".join(":" + context.schema.quote_label(label) for label in self.labels)
        if self.properties:
            inner += (" " if inner else "") + render_map(self.properties, context)
        return f"({inner})"


def node(
    variable: str | None = None,
    *labels: str,
    properties: Mapping[str, ExpressionLike] | None = None,
) -> NodePattern:
    """A node pattern: ``node("m", "Machine", properties={"status": "published"})``."""
    return NodePattern(variable, labels, _property_map(properties))


@dataclass(frozen=True)
class Hop:
    relationship: RelationshipPattern
    direction: Direction
    node: NodePattern


@dataclass(frozen=True)
class Path(_Walkable):
    """A start node and zero or more hops; `named` binds the whole path to a variable."""

    start: NodePattern
    hops: tuple[Hop, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        _variable(self.name)

    def named(self, variable: str) -> Path:
        """``variable = (a)-->(b)``."""
        return replace(self, name=check_variable(variable))

    def as_expression(self) -> Variable:
        return _bound(self.name, "path")

    def _as_path(self) -> Path:
        return self

    def _render(self, context: RenderContext) -> str:
        text = self.start._render(context)
        for hop in self.hops:
            text += hop.relationship._render(context, hop.direction) + hop.node._render(context)
        return text if self.name is None else f"{self.name} = {text}"


Pattern: TypeAlias = NodePattern | Path


def as_path(pattern: Pattern) -> Path:
    if isinstance(pattern, NodePattern):
        return Path(pattern)
    if isinstance(pattern, Path):
        return pattern
    raise QueryStructureError(f"expected a node or path pattern, got {type(pattern).__name__}")


@dataclass(frozen=True)
class _Step:
    path: Path
    relationship: RelationshipPattern

    def _finish(self, target: NodePattern, direction: Direction) -> Path:
        if not isinstance(target, NodePattern):
            raise QueryStructureError(f"a hop ends at a node pattern, got {type(target).__name__}")
        return replace(self.path, hops=(*self.path.hops, Hop(self.relationship, direction, target)))


class OutgoingStep(_Step):
    def to(self, target: NodePattern) -> Path:
        return self._finish(target, "out")


class IncomingStep(_Step):
    def from_(self, source: NodePattern) -> Path:
        return self._finish(source, "in")


class UndirectedStep(_Step):
    def to(self, target: NodePattern) -> Path:
        return self._finish(target, "undirected")


@dataclass(frozen=True)
class Exists(Expression):
    """``EXISTS { MATCH pattern, ... [WHERE condition] }``: true if the pattern has a match."""

    patterns: tuple[Path, ...]
    condition: Expression | None = None

    def _render(self, context: RenderContext) -> str:
        text = "EXISTS { MATCH " + ", ".join(path._render(context) for path in self.patterns)
        if self.condition is not None:
            text += " WHERE " + self.condition._render(context)
        return text + " }"


def exists(*patterns: Pattern, where: Expression | None = None) -> Exists:
    """``EXISTS { MATCH (m)-[:HAS_MACHINE_SPEC]->(s) WHERE s.value_number >= $low }``."""
    if not patterns:
        raise QueryStructureError("exists() needs at least one pattern")
    condition = None if where is None else to_condition(where, "exists(where=...)")
    return Exists(tuple(as_path(pattern) for pattern in patterns), condition)
