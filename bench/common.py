"""Shared pieces of the benchmarks: an ASGI server process on the real stack, timing and
percentiles. Benchmarks run against `make run`'s data (config.settings.local)."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):7.1f}  p95 {percentile(values, 0.95):7.1f}  p99 {percentile(values, 0.99):7.1f}  (n={len(values)})"


def machine_line() -> str:
    memory_kb = int(
        next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
        ).split()[1]
    )
    return f"{date.today().isoformat()} · {platform.node()} · {os.cpu_count()} cores · {memory_kb // 1024 // 1024} GB · Python {platform.python_version()}"


def setup_django() -> None:
    """Django on `make run`'s data (config.settings.local), with the HTTP and Bolt clients'
    per-request log lines silenced so that only what was measured is printed."""
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("neo4j").setLevel(logging.ERROR)


def server_gc() -> None:
    """The server process's garbage collector settings, for benchmarks that time in their own
    process what runs in a server: with CPython's defaults, full collections of the
    benchmark's own heap (tens of ms) landed in whichever step was being timed."""
    from core.server import tune_garbage_collection

    tune_garbage_collection()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def asgi_server(
    port: int | None = None, settings: str = "config.settings.local", extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """One server process (`python -m core.server`, as deployed); yields its base URL once it answers."""
    port = port or free_port()
    # The benchmark client is one anonymous caller: lift the per-client throttle for it.
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=settings,
        DEBUG="false",
        THROTTLE_ANON="10000000/minute",
        THROTTLE_USER="10000000/minute",
        **(extra_env or {}),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def median(values: list[float]) -> float:
    return statistics.median(values)


def server_pids(ports: list[int]) -> list[int]:
    """The server processes (`python -m core.server`) listening on `ports`: their command line
    names the port."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"core.server" in b" ".join(command) and any(str(port).encode() in command for port in ports):
            pids.append(int(entry.name))
    return pids


def memory_kb(pid: int) -> tuple[int, int]:
    """(resident now, resident at its peak) of process `pid`, in KB, from /proc."""
    values = dict.fromkeys(("VmRSS", "VmHWM"), 0)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in values:
            values[name] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]
