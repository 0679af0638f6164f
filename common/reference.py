"""The reference-data format: declarations, watchlist, tariff, exchange rates, checklists.

What a lane checks a vehicle against. It arrives as one JSON file (from
the hub, or by ``lanebox reference load``), is checked whole before anything
is stored — a problem is one line naming the entry and the rule — and is
stored as a ``reference.loaded`` event whose payload is the data itself, so
the log shows which data every decision was made against. The hub checks a
file with the same rules before it publishes it (docs/reference-data.md).

A declaration may name the lanes it is expected at (``lanes``); without
one it is port-wide. The hub sends each lane only its own declarations and
the port-wide ones (:func:`for_lane`), so a lane holds no more of the
port's manifests than it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from common.config import SITE_ID
from common.eventlog.store import EventStore
from common.identifiers import normalise_document_number, normalise_plate
from drivers.validation.iso6346 import normalise_container_number, parse_container_number

EVENT_TYPE = "reference.loaded"
MAX_FILE_BYTES = 900_000  # the whole file is one event payload (store limit 1 MiB)


def _closed(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


_TEXT = {"type": "string", "minLength": 1, "maxLength": 500}
_RATE = {"type": "number", "minimum": 0, "maximum": 1}
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
_GOODS = _closed({
    "description": _TEXT, "hs_code": {"type": "string", "pattern": "^[0-9]{6,10}$"},
    "quantity": {"type": "number", "exclusiveMinimum": 0}, "unit": {"type": "string", "minLength": 1, "maxLength": 16},
    "value": {"type": "number", "minimum": 0}, "currency": _CURRENCY,
}, "description", "hs_code", "value", "currency")
_DECLARATION = _closed({
    "ref": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"},
    "plate": {"type": "string"},
    "containers": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
    "goods": {"type": "array", "items": _GOODS, "minItems": 1, "maxItems": 200},
    "gross_weight_kg": {"type": "number", "exclusiveMinimum": 0},
    "origin": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "consignor": _TEXT, "consignee": _TEXT, "haulier": _TEXT,
    "lanes": {"type": "array", "items": {"type": "string", "pattern": SITE_ID.pattern},
              "minItems": 1, "maxItems": 200, "uniqueItems": True},
}, "ref", "goods", "origin")
SCHEMA = _closed({
    "version": {"type": "string", "minLength": 1, "maxLength": 64},
    "currency": _CURRENCY,
    "vat_rate": _RATE,
    "declarations": {"type": "array", "items": _DECLARATION},
    "watchlist": {"type": "array", "items": _closed({
        "type": {"enum": ["plate", "container", "document"]}, "value": {"type": "string"},
        "reason": _TEXT, "severity": {"enum": ["high", "medium"]}}, "type", "value", "reason", "severity")},
    "tariff": {"type": "array", "items": _closed({
        "hs_prefix": {"type": "string", "pattern": "^[0-9]{2,10}$"}, "description": _TEXT,
        "duty_rate": _RATE}, "hs_prefix", "description", "duty_rate")},
    "exchange_rates": {"type": "object", "minProperties": 1,
                       "propertyNames": {"pattern": "^[A-Z]{3}$"},
                       "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
    "checklists": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_-]{0,31}$"},
                   "additionalProperties": {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": 100,
                                            "uniqueItems": True}},
    "high_risk_origins": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
}, "version", "currency", "vat_rate", "exchange_rates")


class ReferenceProblem(ValueError):
    """One line: ``source: where: what is wrong``."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")


@dataclass(frozen=True)
class ReferenceData:
    """One checked reference file with the indexes lookups need."""

    data: dict[str, Any]
    declarations: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_plate: dict[str, list[str]] = field(default_factory=dict)
    by_container: dict[str, list[str]] = field(default_factory=dict)
    watchlist: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.data["version"]

    @property
    def currency(self) -> str:
        return self.data["currency"]

    @property
    def vat_rate(self) -> float:
        return self.data["vat_rate"]

    @property
    def exchange_rates(self) -> dict[str, float]:
        return self.data["exchange_rates"]

    @property
    def checklists(self) -> dict[str, list[str]]:
        return self.data.get("checklists", {})

    def counts(self) -> dict[str, int]:
        return {name: len(self.data.get(name, ())) for name in
                ("declarations", "watchlist", "tariff", "exchange_rates", "checklists", "high_risk_origins")}

    def tariff_for(self, hs_code: str) -> dict[str, Any] | None:
        """The tariff line with the longest HS prefix of ``hs_code``."""
        lines = [t for t in self.data.get("tariff", ()) if hs_code.startswith(t["hs_prefix"])]
        return max(lines, key=lambda t: len(t["hs_prefix"]), default=None)

    def watch(self, kind: str, value: str) -> list[dict[str, Any]]:
        """Watchlist entries for a normalised plate, container or document number."""
        return self.watchlist.get((kind, value), [])

    def find_declaration(self, plate: str | None, containers: list[str], ref: str | None) -> dict[str, Any] | None:
        """By ``ref`` when given (and only by it); else the declaration sharing
        the most of plate and containers, the earlier in the file on a tie."""
        if ref:
            return self.declarations.get(ref)
        score: dict[str, int] = {}
        matches = [*self.by_plate.get(plate or "", ()), *(r for c in containers for r in self.by_container.get(c, ()))]
        for key in matches:
            score[key] = score.get(key, 0) + 1
        order = list(self.declarations)
        best = sorted(score, key=lambda key: (-score[key], order.index(key)))
        return self.declarations[best[0]] if best else None


def parse_reference(data: Any, source: str) -> ReferenceData:
    """Check a reference document whole and index it; raises :class:`ReferenceProblem`."""
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise ReferenceProblem(source, _where(first.absolute_path), first.message)
    rates = data["exchange_rates"]
    if rates.get(data["currency"]) != 1:
        raise ReferenceProblem(source, f"exchange_rates.{data['currency']}",
                               f"the local currency {data['currency']} must be listed at 1.0")
    ref = ReferenceData(data=data)
    for i, declaration in enumerate(data.get("declarations", ())):
        _index_declaration(ref, declaration, f"declarations[{i}]", source)
    for i, entry in enumerate(data.get("watchlist", ())):
        value = _normalised(entry["type"], entry["value"], source, f"watchlist[{i}].value")
        ref.watchlist.setdefault((entry["type"], value), []).append({**entry, "value": value})
    prefixes = [t["hs_prefix"] for t in data.get("tariff", ())]
    if len(set(prefixes)) != len(prefixes):
        duplicate = next(p for p in prefixes if prefixes.count(p) > 1)
        raise ReferenceProblem(source, "tariff", f"hs_prefix {duplicate} is listed twice")
    return ref


def for_lane(data: dict[str, Any], lane_id: str) -> dict[str, Any]:
    """``data`` (checked already) as lane ``lane_id`` receives it: its own
    declarations and the port-wide ones; everything else as it is."""
    if "declarations" not in data:
        return data
    return {**data, "declarations": [d for d in data["declarations"]
                                     if "lanes" not in d or lane_id in d["lanes"]]}


def _index_declaration(ref: ReferenceData, declaration: dict[str, Any], where: str, source: str) -> None:
    if declaration["ref"] in ref.declarations:
        raise ReferenceProblem(source, f"{where}.ref", f"{declaration['ref']} is declared twice")
    for j, goods in enumerate(declaration["goods"]):
        if goods["currency"] not in ref.exchange_rates:
            raise ReferenceProblem(source, f"{where}.goods[{j}].currency",
                                   f"{goods['currency']} has no exchange rate in exchange_rates")
    ref.declarations[declaration["ref"]] = declaration
    if "plate" in declaration:
        plate = _normalised("plate", declaration["plate"], source, f"{where}.plate")
        ref.by_plate.setdefault(plate, []).append(declaration["ref"])
    for j, container in enumerate(declaration.get("containers", ())):
        number = _normalised("container", container, source, f"{where}.containers[{j}]")
        ref.by_container.setdefault(number, []).append(declaration["ref"])


def _normalised(kind: str, value: str, source: str, where: str) -> str:
    try:
        if kind == "plate":
            return normalise_plate(value)
        if kind == "document":
            return normalise_document_number(value)
    except ValueError as exc:
        raise ReferenceProblem(source, where, f"{value!r}: {exc}") from None
    parsed = parse_container_number(value)
    if not parsed["valid"]:
        raise ReferenceProblem(source, where, f"{value!r} is not a valid ISO 6346 container number: "
                                              f"{'; '.join(parsed['errors'])}")
    return normalise_container_number(value)


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "top level"


def load_reference_file(path: str | Path | Traversable) -> ReferenceData:
    """Read and check a reference JSON file (or a packaged one); raises :class:`ReferenceProblem`."""
    path = Path(path) if isinstance(path, str) else path
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReferenceProblem(source, "", "no such file") from None
    except OSError as exc:
        raise ReferenceProblem(source, "", f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ReferenceProblem(source, "", f"larger than {MAX_FILE_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReferenceProblem(source, "", f"not valid JSON: {exc}") from None
    return parse_reference(data, source)


def store_reference(store: EventStore, reference: ReferenceData, actor: str | None) -> bool:
    """Record ``reference`` as the lane's current data; False if it already is."""
    latest = latest_reference_event(store)
    if latest is not None and latest["payload"] == reference.data:
        return False
    store.append(EVENT_TYPE, reference.data, actor)
    return True


def latest_reference_event(store: EventStore) -> dict[str, Any] | None:
    rows = store.query("SELECT seq FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1", (EVENT_TYPE,))
    return store.get_seq(rows[0]["seq"]) if rows else None
