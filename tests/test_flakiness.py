"""The flakiness report: a test is flaky when it failed and passed at the same commit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.flakiness import HISTORY_RUNS, Recorder, _commit, flaky_tests


def run(commit: str, passed: tuple[str, ...] = (), failed: tuple[str, ...] = ()) -> dict[str, object]:
    return {"commit": commit, "passed": list(passed), "failed": list(failed)}


def test_a_test_that_failed_and_then_passed_at_the_same_commit_is_flaky() -> None:
    runs = [
        run("a", passed=("t::x",), failed=("t::y",)),
        run(
            "a",
            passed=(
                "t::x",
                "t::y",
            ),
        ),
    ]

    assert flaky_tests(runs) == {"t::y": 1}


def test_failing_at_one_commit_and_passing_at_the_next_is_a_fix_not_a_flake() -> None:
    runs = [run("a", failed=("t::y",)), run("b", passed=("t::y",)), run("b", passed=("t::y",))]

    assert flaky_tests(runs) == {}


def test_each_commit_a_test_flipped_at_counts_once() -> None:
    runs = [
        run("a", failed=("t::y",)),
        run("a", passed=("t::y",)),
        run("a", failed=("t::y",)),
        run("b", passed=("t::y",)),
        run("b", failed=("t::y",)),
    ]

    assert flaky_tests(runs) == {"t::y": 2}


class Report:
    def __init__(self, nodeid: str, when: str, outcome: str) -> None:
        self.nodeid, self.when = nodeid, when
        self.passed, self.failed = outcome == "passed", outcome == "failed"


class Session:
    class config:  # noqa: N801
        rootpath = Path(__file__).resolve().parent.parent


def test_the_recorder_appends_a_run_and_writes_the_flaky_tests(tmp_path: Path) -> None:
    history, flaky = tmp_path / "history.jsonl", tmp_path / "flaky.txt"
    for outcome in ("failed", "passed"):
        recorder = Recorder(history, flaky)
        for when in ("setup", "call", "teardown"):
            recorder.pytest_runtest_logreport(Report("t::y", when, outcome))  # type: ignore[arg-type]
        recorder.pytest_runtest_logreport(Report("t::x", "call", "passed"))  # type: ignore[arg-type]
        recorder.pytest_runtest_logreport(Report("t::z", "teardown", "failed"))  # type: ignore[arg-type]
        recorder.pytest_sessionfinish(Session())  # type: ignore[arg-type]

    runs = [json.loads(line) for line in history.read_text().splitlines()]
    assert [(r["passed"], r["failed"]) for r in runs] == [
        (["t::x"], ["t::y", "t::z"]),
        (["t::x", "t::y"], ["t::z"]),
    ]
    assert runs[0]["commit"] == runs[1]["commit"] != ""
    assert flaky.read_text().splitlines()[1:] == ["1\tt::y"]


@pytest.mark.parametrize("existing", [HISTORY_RUNS - 1, HISTORY_RUNS, HISTORY_RUNS + 5])
def test_the_history_keeps_only_the_last_runs(tmp_path: Path, existing: int) -> None:
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(run(str(n))) + "\n" for n in range(existing)))
    recorder = Recorder(history, tmp_path / "flaky.txt")
    recorder.pytest_runtest_logreport(Report("t::x", "call", "passed"))  # type: ignore[arg-type]

    recorder.pytest_sessionfinish(Session())  # type: ignore[arg-type]

    lines = history.read_text().splitlines()
    assert len(lines) == min(existing + 1, HISTORY_RUNS)
    assert json.loads(lines[-1])["passed"] == ["t::x"]


def test_runs_of_the_same_commit_with_different_local_changes_are_told_apart(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    git("add", "a.py")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "a")
    clean = _commit(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    changed = _commit(tmp_path)
    (tmp_path / "b.py").write_text("y = 1\n")
    untracked = _commit(tmp_path)
    (tmp_path / "b.py").unlink()

    assert "+" not in clean
    assert changed.startswith(clean + "+")
    assert len({clean, changed, untracked}) == 3
    assert _commit(tmp_path) == changed  # the same changes, the same digest
