"""Lighthouse (npm `lighthouse`, installed by `make install` under var/node) on the pages buyers
arrive on, mobile profile, with Debian's Chromium, against a running `make run` (issue 20):
performance, accessibility, best practices and SEO, the median of `--runs` runs per page.

    make run    # in another terminal (the demo catalogue, with photos and auctions)
    .venv/bin/python -m bench.lighthouse [--base http://127.0.0.1:8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.common import ROOT, machine_line

LIGHTHOUSE = ROOT / "var" / "node" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def pages(base: str) -> dict[str, str]:
    """Home, a search, and a listing that has photos (the first card of the newest listings)."""
    with urllib.request.urlopen(f"{base}/search/?q=excavator&sort=newest") as response:  # noqa: S310 - the bench's own server
        html = response.read().decode()
    start = html.index('href="/machines/') + len('href="')
    listing = html[start : html.index('"', start)]
    return {"home": f"{base}/", "search": f"{base}/search/?q=excavator", "listing": f"{base}{listing}"}


def scores(url: str) -> tuple[dict[str, float], list[str]]:
    """One Lighthouse run: each category's score (0-100), and the audits that lost points."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ]  # fmt: skip
        for attempt in range(3):  # Chromium now and then fails to start on a busy machine
            run = subprocess.run(
                command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM}
            )
            if run.returncode == 0:
                break
            print(
                f"  lighthouse failed (attempt {attempt + 1}): {run.stderr.strip()[-300:]}", file=sys.stderr
            )
        else:
            raise SystemExit(f"Lighthouse failed three times on {url}")
        data = json.loads(report.read_text())
    categories = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = sorted(
        f"{audit['id']} ({audit['score']})"
        for name in CATEGORIES
        for ref in data["categories"][name]["auditRefs"]
        if ref["weight"] > 0
        and (audit := data["audits"][ref["id"]])["score"] is not None
        and audit["score"] < 0.9
    )
    return categories, failing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: run `make install` (ops/stack.sh install).")
    print(machine_line())
    print(f"Lighthouse 12, mobile profile, median of {arguments.runs} runs, {arguments.base}")
    print(f"{'page':<9}" + "".join(f"{name:>16}" for name in CATEGORIES))
    for name, url in pages(arguments.base).items():
        runs = [scores(url) for _ in range(arguments.runs)]
        medians = {c: statistics.median(run[0][c] for run in runs) for c in CATEGORIES}
        print(f"{name:<9}" + "".join(f"{medians[c]:>16.0f}" for c in CATEGORIES))
        lost = sorted({audit for _, failing in runs for audit in failing})
        if lost:
            print(f"{'':<9}below 0.9 in a run: {', '.join(lost)}")


if __name__ == "__main__":
    main()
