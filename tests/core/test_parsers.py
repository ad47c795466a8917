"""JSON bodies are measured before they are parsed: too deep or too many containers is a 400."""

from __future__ import annotations

import time

import pytest
from rest_framework.exceptions import ParseError

from core.api.parsers import MAX_CONTAINERS, MAX_DEPTH, check_structure


def test_a_body_within_the_bounds_passes() -> None:
    check_structure(b'{"title": {"en": "[[[ not brackets ]]]"}, "specs": {"a": [1, 2, {"b": []}]}}')


def test_brackets_inside_strings_do_not_count() -> None:
    check_structure(b'{"text": "' + b"[" * 10_000 + b'"}')


def test_an_escaped_quote_does_not_end_a_string() -> None:
    check_structure(b'{"text": "a \\" ' + b"{" * 1000 + b'"}')


def test_nesting_past_the_depth_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError, match="deeper"):
        check_structure(b"[" * 10_000 + b"]" * 10_000)
    assert time.perf_counter() - started < 0.05


def test_the_depth_itself_is_allowed() -> None:
    check_structure(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    with pytest.raises(ParseError):
        check_structure(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_too_many_containers_are_refused() -> None:
    flat = b"[" + b",".join([b"[]"] * MAX_CONTAINERS) + b"]"

    with pytest.raises(ParseError, match="more than"):
        check_structure(flat)
    check_structure(b"[" + b",".join([b"[]"] * (MAX_CONTAINERS - 1)) + b"]")
