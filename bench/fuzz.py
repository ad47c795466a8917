"""A long Schemathesis run over the OpenAPI document against a server process on `make run`'s
data, as an anonymous client, a buyer and a seller, while the server's memory is read.

    .venv/bin/python -m bench.fuzz [--examples 100] [--seed 1]

The suite runs the same checks with a few examples per operation (tests/api/test_fuzz.py);
this is the long version. Prints each run's summary line, its failures and the server's
resident memory (now and at its peak)."""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, asgi_server, machine_line, setup_django

CONFIG = ROOT / "tests" / "api" / "schemathesis.toml"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "negative_data_rejection,positive_data_acceptance"
)


def rss_mb(port: int) -> tuple[float, float]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"core.server" in b" ".join(command) and str(port).encode() in command:
            values = {}
            for line in (entry / "status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    values[name] = int(value.split()[0]) / 1024
            return values["VmRSS"], values["VmHWM"]
    return 0.0, 0.0


def tokens() -> dict[str, str]:
    """API tokens of a demo buyer and of a demo seller with published listings."""
    from rest_framework.authtoken.models import Token

    from marketplace.models import Machine, User

    buyer = User.objects.filter(is_seller=False, is_staff=False).order_by("username").first()
    seller = Machine.objects.filter(status="published").order_by("seller__username").first()
    assert buyer is not None, "seed the catalogue first (make run)"
    assert seller is not None, "seed the catalogue first (make run)"
    return {
        "buyer": str(Token.objects.get_or_create(user=buyer)[0].key),
        "seller": str(Token.objects.get_or_create(user=seller.seller)[0].key),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100, help="Most test cases per operation and phase.")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    setup_django()
    credentials = tokens()
    print(machine_line())
    with asgi_server(extra_env={"THROTTLE_AUTH": "10000000/minute"}) as base:
        port = int(base.rsplit(":", 1)[1])
        failed = False
        for who in ("anonymous", "buyer", "seller"):
            headers = [] if who == "anonymous" else ["--header", f"Authorization: Token {credentials[who]}"]
            started = time.perf_counter()
            run = subprocess.run(
                [str(ROOT / ".venv" / "bin" / "st"), "--config-file", str(CONFIG), "run", f"{base}/api/v1/schema/",
                 "--checks", CHECKS, "--max-examples", str(arguments.examples), "--seed", str(arguments.seed),
                 "--workers", "2", "--request-timeout", "30", "--generation-database", "none",
                 "--suppress-health-check", "all", *headers],
                cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            generated = re.search(r"(\d+) generated[^\n]*", run.stdout)
            now, peak = rss_mb(port)
            print(f"  {who:<9} {generated.group(0) if generated else '?'} in {elapsed:.0f} s; "
                  f"exit {run.returncode}; server {now:.0f} MB now, {peak:.0f} MB at its peak")  # fmt: skip
            if run.returncode != 0:
                failed = True
                print(run.stdout[-8000:])
        raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
