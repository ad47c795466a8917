"""`start_eagerly`: a coroutine runs in the caller's step until it suspends, then in a task."""

from __future__ import annotations

import asyncio

import pytest

from core.eager import start_eagerly


def test_a_coroutine_that_never_waits_finishes_before_start_eagerly_returns() -> None:
    seen: list[str] = []

    async def quick() -> None:
        seen.append("ran")

    async def scenario() -> None:
        task = start_eagerly(quick())
        assert task is None
        assert seen == ["ran"]

    asyncio.run(scenario())


def test_a_coroutine_that_waits_continues_in_a_task_with_the_awaited_result() -> None:
    seen: list[object] = []

    async def waits(gate: asyncio.Future[str]) -> None:
        seen.append("before")
        seen.append(await gate)
        await asyncio.sleep(0)  # a bare yield on the way
        seen.append("after")

    async def scenario() -> None:
        gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        task = start_eagerly(waits(gate))
        assert task is not None
        assert seen == ["before"]
        gate.set_result("opened")
        await task
        assert seen == ["before", "opened", "after"]

    asyncio.run(scenario())


def test_an_error_after_suspending_is_the_tasks_and_cancelling_closes_the_coroutine() -> None:
    closed: list[bool] = []

    async def fails(gate: asyncio.Future[None]) -> None:
        await gate
        raise ValueError("late")

    async def never(gate: asyncio.Future[None]) -> None:
        try:
            await gate
        finally:
            closed.append(True)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        gate: asyncio.Future[None] = loop.create_future()
        failing = start_eagerly(fails(gate))
        hanging = start_eagerly(never(loop.create_future()))
        assert failing is not None
        assert hanging is not None
        gate.set_result(None)
        with pytest.raises(ValueError, match="late"):
            await failing
        hanging.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hanging
        assert closed == [True]

    asyncio.run(scenario())
