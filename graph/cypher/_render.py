"""Rendering state: the Schema in force and the parameters collected so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.cypher._errors import ParameterCollisionError
from graph.cypher._schema import Schema
from graph.cypher._values import thaw

if TYPE_CHECKING:
    from graph.cypher._expressions import Param

__all__ = ["RenderContext", "Rendered", "indent", "render_text"]


class Rendered(NamedTuple):
    """A rendered query: Cypher text and the parameters it refers to as ``$name``."""

    text: str
    parameters: dict[str, Any]


class RenderContext:
    """Names parameters while a query is rendered.

    A `Param` object keeps one name however often it occurs; distinct objects get distinct
    names. Generated names are ``p0``, ``p1``... in order of first appearance and never
    equal a name the caller chose explicitly.
    """

    def __init__(self, schema: Schema, *, reserved: frozenset[str] = frozenset()) -> None:
        self.schema = schema
        self._reserved = reserved
        self._names: dict[int, str] = {}
        self._objects: list[Param] = []  # keeps ids in `_names` from being reused mid-render
        self._explicit: dict[str, Param] = {}
        self._generated: set[str] = set()
        self._next = 0
        self.parameters: dict[str, Any] = {}
        self.explicit_clashed_with_generated = False

    @property
    def explicit_names(self) -> frozenset[str]:
        return frozenset(self._explicit)

    def parameter(self, parameter: Param) -> str:
        """The ``$name`` placeholder for `parameter`, binding its value on first use."""
        known = self._names.get(id(parameter))
        if known is not None:
            return "$" + known
        if parameter.name is not None:
            name = parameter.name
            if name in self._explicit:
                raise ParameterCollisionError(
                    f"parameter name {name!r} is given to two different values; reuse one param() "
                    "object to refer to the same value twice"
                )
            self._explicit[name] = parameter
            if name in self._generated:
                self.explicit_clashed_with_generated = True
        else:
            name = self._fresh_name()
        self._names[id(parameter)] = name
        self._objects.append(parameter)
        self.parameters[name] = thaw(parameter.value)
        return "$" + name

    def _fresh_name(self) -> str:
        while True:
            name = f"p{self._next}"
            self._next += 1
            if name not in self._reserved and name not in self._explicit:
                self._generated.add(name)
                return name


def render_text(schema: Schema, write: Callable[[RenderContext], str]) -> Rendered:
    """Run `write` with a fresh context; if an explicit parameter name turned up after the
    same name had been generated, render again with the explicit names set aside."""
    context = RenderContext(schema)
    text = write(context)
    if context.explicit_clashed_with_generated:
        context = RenderContext(schema, reserved=context.explicit_names)
        text = write(context)
    return Rendered(text, context.parameters)


def indent(text: str, prefix: str = "  ") -> str:
    """Indent every line; safe because values never reach the text, so it holds no
    newlines but the ones this package writes between clauses."""
    return "\n".join(prefix + line for line in text.split("\n"))
