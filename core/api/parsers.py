"""JSON request bodies, bounded before they are parsed.

The body's size is capped before it is read (core/limits.py). Within that, a body nested
thousands of levels deep makes the parser recurse until it fails, and one made of many tiny
containers (`[[],[],…]`) costs tens of times its size in memory: the structure is measured
first, from the brackets outside strings, and a body past MAX_DEPTH levels or MAX_CONTAINERS
objects and arrays is refused with a 400 before Python builds any of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

MAX_DEPTH = 20
MAX_CONTAINERS = 5_000

# A JSON string (with its escapes), or one bracket: strings are skipped, brackets counted.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_structure(
    payload: bytes, *, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS
) -> None:
    """Raise ParseError when `payload` nests deeper than `max_depth` or holds more than
    `max_containers` objects and arrays (a malformed body is left for the parser to refuse)."""
    depth = containers = 0
    for match in _TOKENS.finditer(payload):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            containers += 1
            if depth > max_depth:
                raise ParseError(f"The JSON body nests deeper than {max_depth} levels.")
            if containers > max_containers:
                raise ParseError(f"The JSON body holds more than {max_containers} objects and arrays.")
        elif token in (b"]", b"}"):
            depth -= 1


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser behind `check_structure`; strict: NaN and Infinity are refused."""

    strict = True

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        payload = stream.read() if stream is not None else b""
        check_structure(payload)
        try:
            return json.loads(payload.decode("utf-8"))  # DRF's loads: NaN and Infinity refused
        except RecursionError:  # only reachable if MAX_DEPTH were raised past the parser's limit
            raise ParseError("The JSON body nests too deep.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
