"""An independent client against the API: Schemathesis generates requests from the OpenAPI
document (valid and invalid ones, anonymous, as a buyer and as a seller) and sends them to a
real server process; every answer must be a non-5xx status the document declares, with the
declared content type and body, every invalid request refused and every valid one accepted.

The example count keeps the suite's time reasonable; `bench/fuzz.py` runs longer."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auctions.cluster import Node, process_environment, token_for
from tests.factories import MachineFactory, SellerFactory, UserFactory, model_with_specs, open_auction

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "negative_data_rejection,positive_data_acceptance"
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.fixture
def node(machine_index: str) -> Iterator[Node]:
    """A server over a small catalogue: listings of a seller's, one of them in an auction."""
    seller = SellerFactory.create(username="fuzz-seller")
    model = model_with_specs()
    for _ in range(3):
        MachineFactory.create(seller=seller, model=model)
    open_auction(machine=MachineFactory.create(seller=seller, model=model))
    server = Node(process_environment(THROTTLE_AUTH="100000/minute")).start()
    yield server
    server.stop()


def fuzz(node: Node, *headers: str, seed: int) -> subprocess.CompletedProcess[str]:
    command = [
        str(ROOT / ".venv" / "bin" / "st"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{node.http}/api/v1/schema/",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--no-shrink",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        *[argument for header in headers for argument in ("--header", header)],
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize("who", ["anonymous", "buyer", "seller"])
def test_the_api_keeps_its_contract_under_a_fuzzer(node: Node, who: str) -> None:
    headers = []
    if who == "buyer":
        headers.append(f"Authorization: Token {token_for(UserFactory.create(username='fuzz-buyer'))}")
    elif who == "seller":
        from marketplace.models import User

        headers.append(f"Authorization: Token {token_for(User.objects.get(username='fuzz-seller'))}")

    run = fuzz(node, *headers, seed={"anonymous": 1, "buyer": 2, "seller": 3}[who])

    summary = run.stdout[-6000:]
    print(summary)
    assert run.returncode == 0, summary
