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

from bench.common import ROOT, asgi_server, machine_line, memory_kb, server_pids, setup_django

CONFIG = ROOT / "tests" / "api" / "schemathesis.toml"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "negative_data_rejection,positive_data_acceptance"
)


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
            pids = server_pids([port])
            now, peak = memory_kb(pids[0]) if pids else (0, 0)
            print(f"  {who:<9} {generated.group(0) if generated else '?'} in {elapsed:.0f} s; "
                  f"exit {run.returncode}; server {now / 1024:.0f} MB now, {peak / 1024:.0f} MB at its peak")  # fmt: skip
            if run.returncode != 0:
                failed = True
                print(run.stdout[-8000:])
        raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
