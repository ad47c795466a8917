"""The event contracts: one JSON Schema per event in `events/contracts/`, read into `Contract`s.

Pure (files and JSON only): `python -m events.check` runs the checks before merge without
Django. A contract is a JSON Schema (draft 2020-12) of the event's payload, restricted to the
field types below, with three keywords of ours: `x-owner` (the area that answers for it),
`x-version` (a breaking change is a new version) and `x-delivery` (`outbox`: committed with the
business write that makes it; `stream`: a request event through the Redis Stream). Every
field is required and documented; a field that may be absent is nullable. Fields are numbered
by the order they are declared in: new ones go at the end.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
LOCK_FILE = Path(__file__).resolve().parent / "contracts.lock.json"
MONEY_REF = "_defs.json#/$defs/money"

ACTORS = ("buyer", "seller", "user", "staff", "visitor", "auction")
OWNERS = ("search", "listings", "auctions", "accounts")
DELIVERIES = ("outbox", "stream")
# Past tenses that do not end in -ed.
IRREGULAR_PAST = frozenset(
    {"sent", "won", "lost", "bid", "made", "sold", "paid", "put", "set", "began", "saw", "found"}
)
NAME = re.compile(r"^[a-z]+(?:_[a-z]+){1,4}$")
MONEY_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
# RFC 3339's date-time, as JSON Schema's `date-time` format has it
DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$",
    re.ASCII,
)

# kind -> the Python type a producer takes
PYTHON_TYPES = {
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "string": "str",
    "enum": "str",
    "uuid": "str",
    "datetime": "datetime",
    "money": "Money",
    "integer_list": "Sequence[int]",
    "string_map": "Mapping[str, str]",
}

Check = Callable[[Any], str | None]


class ContractError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    number: int
    kind: str
    nullable: bool
    description: str
    schema: Mapping[str, Any] = field(compare=False, repr=False)

    @property
    def python_type(self) -> str:
        base = PYTHON_TYPES[self.kind]
        if self.kind == "enum":
            base = f"Literal[{', '.join(json.dumps(choice) for choice in self.schema['enum'])}]"
        return f"{base} | None" if self.nullable else base

    def check(self, value: Any) -> str | None:
        """What is wrong with the value of this field in a payload, or None."""
        if value is None:
            return None if self.nullable else "is required"
        return _CHECKS[self.kind](self.schema, value)


@dataclass(frozen=True)
class Contract:
    name: str
    version: int
    owner: str
    delivery: str
    description: str
    fields: tuple[Field, ...]

    def problems(self, payload: Mapping[str, Any]) -> list[str]:
        """What is wrong with a payload (the producer's, as JSON types), empty when valid."""
        problems = [f"{key}: not a field of {self.name}" for key in payload if key not in self._by_name]
        for item in self.fields:
            if item.name not in payload:
                problems.append(f"{item.name}: missing")
            elif (problem := item.check(payload[item.name])) is not None:
                problems.append(f"{item.name}: {problem}")
        return problems

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {item.name: item for item in self.fields}

    def released(self) -> dict[str, Any]:
        """What the lock file keeps of the contract."""
        return {
            "version": self.version,
            "owner": self.owner,
            "delivery": self.delivery,
            "fields": {
                item.name: {"number": item.number, "kind": item.kind, "nullable": item.nullable}
                for item in self.fields
            },
        }


# ------------------------------------------------------------------ reading


def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    contracts = {}
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("_"):
            continue
        contract = parse_contract(json.loads(path.read_text()))
        if contract.name != path.stem:
            raise ContractError(f"{path.name}: its title is {contract.name!r}, not the file's name")
        contracts[contract.name] = contract
    return contracts


def parse_contract(document: Mapping[str, Any]) -> Contract:
    name = str(document.get("title", ""))
    properties = document.get("properties")
    if not isinstance(properties, dict) or document.get("type") != "object":
        raise ContractError(f"{name}: a contract is an object schema with properties")
    if document.get("additionalProperties") is not False:
        raise ContractError(f"{name}: set additionalProperties to false (a payload carries only its fields)")
    if list(document.get("required", [])) != list(properties):
        raise ContractError(
            f"{name}: every field is required, in the order declared (nullable when it may be absent)"
        )
    version = document.get("x-version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ContractError(f"{name}: x-version is a whole number from 1")
    fields = tuple(
        _field(name, number, key, schema) for number, (key, schema) in enumerate(properties.items(), 1)
    )
    return Contract(
        name=name,
        version=version,
        owner=str(document.get("x-owner", "")),
        delivery=str(document.get("x-delivery", "")),
        description=str(document.get("description", "")),
        fields=fields,
    )


def _field(event: str, number: int, name: str, schema: Mapping[str, Any]) -> Field:
    kind, nullable = _kind(schema)
    if kind is None:
        raise ContractError(f"{event}.{name}: a field type the contracts do not know: {json.dumps(schema)}")
    if kind == "string" and "maxLength" not in schema:
        raise ContractError(f"{event}.{name}: a string field needs maxLength")
    if kind in ("integer_list", "string_map") and not ({"maxItems", "maxProperties"} & set(schema)):
        raise ContractError(f"{event}.{name}: a list or map field needs a bound (maxItems, maxProperties)")
    return Field(name, number, kind, nullable, str(schema.get("description", "")).strip(), schema)


def _kind(schema: Mapping[str, Any]) -> tuple[str | None, bool]:
    if schema.get("$ref") == MONEY_REF:
        return "money", False
    if "anyOf" in schema:
        options = schema["anyOf"]
        if len(options) == 2 and {"type": "null"} in options:
            other = next(option for option in options if option != {"type": "null"})
            kind, _ = _kind(other)
            return kind, True
        return None, False
    types = schema.get("type")
    types = list(types) if isinstance(types, list) else [types]
    nullable = "null" in types
    types = [t for t in types if t != "null"]
    if len(types) != 1:
        return None, nullable
    base = types[0]
    if base == "string":
        if "enum" in schema:
            return "enum", nullable
        return {"date-time": "datetime", "uuid": "uuid", None: "string"}.get(schema.get("format")), nullable
    if base in ("integer", "number", "boolean"):
        return base, nullable
    if base == "array" and schema.get("items", {}).get("type") == "integer":
        return "integer_list", nullable
    if base == "object" and schema.get("additionalProperties", {}).get("type") == "string":
        return "string_map", nullable
    return None, nullable


# ------------------------------------------------------------------ checking values


def _integer(schema: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "is not a whole number"
    return _bounds(schema, value)


def _number(schema: Mapping[str, Any], value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "is not a finite number"
    return _bounds(schema, value)


def _bounds(schema: Mapping[str, Any], value: float) -> str | None:
    if "minimum" in schema and value < schema["minimum"]:
        return f"is below {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"is above {schema['maximum']}"
    return None


def _boolean(schema: Mapping[str, Any], value: Any) -> str | None:
    return None if isinstance(value, bool) else "is not true or false"


def _string(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    if len(value) > schema.get("maxLength", len(value)):
        return f"is longer than {schema['maxLength']} characters"
    return None


def _enum(schema: Mapping[str, Any], value: Any) -> str | None:
    return (
        None
        if isinstance(value, str) and value in schema["enum"]
        else f"is not one of {', '.join(schema['enum'])}"
    )


def _uuid(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, str) or len(value) != 36:
        return "is not a UUID"
    try:
        uuid.UUID(value)
    except ValueError:
        return "is not a UUID"
    return None


def _datetime(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, str) or not DATE_TIME.match(value):
        return "is not an RFC 3339 date and time with its offset"
    try:
        datetime.fromisoformat(value[:19])
    except ValueError:  # no such day
        return "is not an RFC 3339 date and time with its offset"
    return None


def _money(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"amount", "currency", "minor"}:
        return "is not money (amount, currency, minor)"
    amount, currency, minor = value["amount"], value["currency"], value["minor"]
    if not (isinstance(amount, str) and len(amount) <= 40 and MONEY_AMOUNT.match(amount)):
        return "has an amount that is not a decimal string"
    if not (isinstance(currency, str) and CURRENCY.match(currency)):
        return "has no ISO 4217 currency"
    if isinstance(minor, bool) or not isinstance(minor, int) or abs(minor) > 9223372036854775807:
        return "has minor units that are not a whole number"
    return None


def _integer_list(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, list):
        return "is not a list"
    if len(value) > schema["maxItems"]:
        return f"has more than {schema['maxItems']} items"
    items = schema.get("items", {})
    return next((f"has an item that {p}" for item in value if (p := _integer(items, item)) is not None), None)


def _string_map(schema: Mapping[str, Any], value: Any) -> str | None:
    if not isinstance(value, dict):
        return "is not a map"
    if len(value) > schema["maxProperties"]:
        return f"has more than {schema['maxProperties']} entries"
    longest = schema.get("propertyNames", {}).get("maxLength")
    if longest is not None and any(not isinstance(key, str) or len(key) > longest for key in value):
        return f"has a name longer than {longest} characters"
    values = schema["additionalProperties"]
    return next(
        (f"has an entry that {p}" for item in value.values() if (p := _string(values, item)) is not None),
        None,
    )


_CHECKS: dict[str, Callable[[Mapping[str, Any], Any], str | None]] = {
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "string": _string,
    "enum": _enum,
    "uuid": _uuid,
    "datetime": _datetime,
    "money": _money,
    "integer_list": _integer_list,
    "string_map": _string_map,
}


# ------------------------------------------------------------------ checks before merge


def naming_problems(contract: Contract) -> list[str]:
    """actor_action_object: a known actor, then a past-tense action, then what was acted on."""
    name = contract.name
    if not NAME.match(name):
        return [f"{name}: a name is lower-case words joined by underscores, actor_action_object"]
    actor, action, *_ = name.split("_")
    problems = []
    if actor not in ACTORS:
        problems.append(f"{name}: {actor!r} is not a known actor ({', '.join(ACTORS)})")
    if not (action.endswith("ed") or action in IRREGULAR_PAST):
        problems.append(f"{name}: {action!r} is not a past-tense action (an event says what happened)")
    return problems


def contract_problems(contract: Contract) -> list[str]:
    problems = naming_problems(contract)
    if not contract.description:
        problems.append(f"{contract.name}: no description")
    if contract.owner not in OWNERS:
        problems.append(f"{contract.name}: x-owner is one of {', '.join(OWNERS)}")
    if contract.delivery not in DELIVERIES:
        problems.append(f"{contract.name}: x-delivery is one of {', '.join(DELIVERIES)}")
    problems += [
        f"{contract.name}.{item.name}: no description" for item in contract.fields if not item.description
    ]
    return problems


def compatibility_problems(contracts: Mapping[str, Contract], lock: Mapping[str, Any]) -> list[str]:
    """Against the last released definitions: within a version no field is removed,
    renumbered or retyped and a new field is nullable; a breaking change is a new version."""
    problems = []
    for name, released in lock.get("events", {}).items():
        contract = contracts.get(name)
        if contract is None:
            problems.append(f"{name}: removed, but released (its rows and consumers still exist)")
            continue
        if contract.version < released["version"]:
            problems.append(f"{name}: version {contract.version} is below the released {released['version']}")
        if contract.version != released["version"]:
            continue  # a new version may change anything
        current = {item.name: item for item in contract.fields}
        for field_name, was in released["fields"].items():
            now = current.get(field_name)
            if now is None:
                problems.append(
                    f"{name}.{field_name}: removed (a breaking change needs version {contract.version + 1})"
                )
            elif (now.kind, now.nullable) != (was["kind"], was["nullable"]):
                kind = f"{now.kind}{' or null' if now.nullable else ''}"
                before = f"{was['kind']}{' or null' if was['nullable'] else ''}"
                problems.append(f"{name}.{field_name}: retyped from {before} to {kind} (needs a new version)")
            elif now.number != was["number"]:
                problems.append(
                    f"{name}.{field_name}: renumbered from {was['number']} to {now.number} (new fields go last)"
                )
        for item in contract.fields:
            if item.name not in released["fields"] and not item.nullable:
                problems.append(
                    f"{name}.{item.name}: a field added within a version must be nullable (older events lack it)"
                )
    return problems


def lock_of(contracts: Iterable[Contract]) -> dict[str, Any]:
    return {
        "events": {contract.name: contract.released() for contract in sorted(contracts, key=lambda c: c.name)}
    }


def read_lock(path: Path = LOCK_FILE) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"events": {}}


def write_lock(contracts: Mapping[str, Contract], path: Path = LOCK_FILE) -> None:
    path.write_text(json.dumps(lock_of(contracts.values()), indent=2) + "\n")
