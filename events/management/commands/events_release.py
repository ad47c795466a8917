"""Releases the event contracts: writes `events/contracts.lock.json`, against which `make lint`
checks every later change. Refuses a contract that breaks the released one within its version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from events.check import problems
from events.codegen import PRODUCERS_FILE
from events.contract import ContractError, load_contracts, lock_of, read_lock, write_lock


class Command(BaseCommand):
    help = "Release the event contracts (write events/contracts.lock.json) after checking them."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            contracts = load_contracts()
        except ContractError as error:
            raise CommandError(str(error)) from error
        found = problems(contracts, read_lock(), PRODUCERS_FILE.read_text())
        if found:
            raise CommandError(f"{len(found)} problem(s), nothing released; first: {found[0]}")
        before = read_lock()["events"]
        after = lock_of(contracts.values())["events"]
        changed = sorted(name for name in after if before.get(name) != after[name])
        write_lock(contracts)
        self.stdout.write(f"released {len(contracts)} contracts; changed: {', '.join(changed) or 'none'}")
