"""What `manage.py prepare` brings up to date besides PostgreSQL: each app that owns a store
registers the idempotent step that creates what it needs there (search indices, graph
constraints), so the command names no app below it."""

from __future__ import annotations

from collections.abc import Callable

# name -> step; a step creates what is missing and says in a few words what is in place
STEPS: dict[str, Callable[[], str]] = {}


def register_step(name: str, step: Callable[[], str]) -> None:
    STEPS[name] = step
