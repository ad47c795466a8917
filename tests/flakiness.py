"""A record of every run's outcomes, and the tests that flaked: failed in one run and passed in
another of the same code (the same commit and local changes: nothing changed but the machine).

Each session appends one line to `TEST_HISTORY` (default var/reports/test-history.jsonl; CI
keeps that file between runs): the commit, when, and the tests that passed and failed. After
the run, var/reports/flaky.txt lists each test that flipped, with how often, so flakiness is
seen rather than guessed. Only the last HISTORY_RUNS runs are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HISTORY_RUNS = 200
REPORTS = Path(__file__).resolve().parent.parent / "var" / "reports"


def flaky_tests(runs: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many commits each test both failed and passed at, over `runs` (history lines)."""
    outcomes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for run in runs:
        commit = str(run.get("commit", ""))
        for outcome in ("passed", "failed"):
            for test in run.get(outcome, ()):
                outcomes[(commit, str(test))].add(outcome)
    return Counter(test for (_, test), seen in outcomes.items() if seen == {"passed", "failed"})


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def _commit(root: Path) -> str:
    """The commit the run tested; with local changes, the commit and a digest of them, so
    only runs of the same code are compared (a test failing before a fix is not a flake)."""
    try:
        head = _git(root, "rev-parse", "HEAD").decode().strip()
        changes = _git(root, "diff", "HEAD", "--binary")
        for name in _git(root, "ls-files", "--others", "--exclude-standard", "-z").split(b"\0"):
            if name:
                changes += name + b"\0" + (root / name.decode()).read_bytes()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+{hashlib.sha256(changes).hexdigest()[:12]}" if changes else head


class Recorder:
    def __init__(self, history: Path, flaky: Path) -> None:
        self.history, self.flaky = history, flaky
        self.outcomes: dict[str, str] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # a failure in any phase (setup, call, teardown) fails the test; a pass needs the call
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
        elif report.when == "call" and report.passed:
            self.outcomes.setdefault(report.nodeid, "passed")

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.outcomes:
            return
        run = {
            "commit": _commit(Path(str(session.config.rootpath))),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "passed": sorted(test for test, outcome in self.outcomes.items() if outcome == "passed"),
            "failed": sorted(test for test, outcome in self.outcomes.items() if outcome == "failed"),
        }
        self.history.parent.mkdir(parents=True, exist_ok=True)
        lines = self.history.read_text().splitlines() if self.history.exists() else []
        lines = [*lines, json.dumps(run)][-HISTORY_RUNS:]
        self.history.write_text("\n".join(lines) + "\n")
        runs = [json.loads(line) for line in lines if line.strip()]
        flaky = flaky_tests(runs)
        self.flaky.write_text(
            f"# tests that failed and passed at the same commit, over the last {len(runs)} runs\n"
            + "".join(
                f"{count}\t{test}\n" for test, count in sorted(flaky.items(), key=lambda i: (-i[1], i[0]))
            )
        )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # a parallel worker: the controller records the run
        return
    history = Path(os.environ.get("TEST_HISTORY", REPORTS / "test-history.jsonl"))
    config.pluginmanager.register(Recorder(history, REPORTS / "flaky.txt"), "flakiness-recorder")
