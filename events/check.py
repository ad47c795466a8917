"""The events' checks before merge (`make lint`): names, documentation, compatibility with
the released definitions (`events/contracts.lock.json`, moved on only by
`manage.py events_release`) and producers that are what the contracts generate."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from events.codegen import CATALOGUE_FILE, PRODUCERS_FILE, render, render_catalogue
from events.contract import (
    Contract,
    ContractError,
    compatibility_problems,
    contract_problems,
    load_contracts,
    read_lock,
)


def problems(
    contracts: Mapping[str, Contract], lock: Mapping[str, Any], producers: str, catalogue: str | None = None
) -> list[str]:
    found = [problem for contract in contracts.values() for problem in contract_problems(contract)]
    found += compatibility_problems(contracts, lock)
    if producers != render(contracts):
        found.append("events/producers.py is not what the contracts generate: run `python -m events.codegen`")
    if catalogue is not None and catalogue != render_catalogue(contracts):
        found.append("docs/events.md is not what the contracts generate: run `python -m events.codegen`")
    return found


def main() -> int:
    try:
        contracts = load_contracts()
    except ContractError as error:
        print(f"events: {error}", file=sys.stderr)
        return 1
    producers = PRODUCERS_FILE.read_text() if PRODUCERS_FILE.exists() else ""
    catalogue = CATALOGUE_FILE.read_text() if CATALOGUE_FILE.exists() else ""
    found = problems(contracts, read_lock(), producers, catalogue)
    for problem in found:
        print(f"events: {problem}", file=sys.stderr)
    if not found:
        print(f"events: {len(contracts)} contracts checked")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
