"""The reference data in force at this lane, and what it says about a vehicle.

The format and its checks are :mod:`common.reference`'s. The current copy
lives in memory, indexed for lookups, and is rebuilt from the last
``reference.loaded`` event whenever that changes (at start, or after a load
by the CLI or the hub's pull while the server runs).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from common.eventlog.store import EventStore
from common.reference import EVENT_TYPE, ReferenceData, ReferenceProblem, parse_reference
from edge.inspections.risk import RiskFactor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lookup:
    """What the reference data says about one vehicle."""

    declaration: dict[str, Any] | None
    watchlist_hits: list[dict[str, Any]]
    factors: list[RiskFactor]


def look_up(reference: ReferenceData, plate: str | None = None, containers: list[str] | None = None,
           declaration_ref: str | None = None, document: str | None = None) -> Lookup:
    """Declaration, watchlist hits and risk factors for normalised identifiers."""
    containers = containers or []
    hits = [*(reference.watch("plate", plate) if plate else []),
            *(hit for c in containers for hit in reference.watch("container", c)),
            *(reference.watch("document", document) if document else [])]
    factors = [RiskFactor(f"watchlist_{h['severity']}", f"watchlist: {h['type']} {h['value']}: {h['reason']}")
               for h in hits]
    declaration = None
    if plate or containers or declaration_ref:
        declaration = reference.find_declaration(plate, containers, declaration_ref)
        if declaration is None:
            factors.append(RiskFactor("no_declaration", "no declaration found for this vehicle"))
        elif declaration["origin"] in reference.data.get("high_risk_origins", ()):
            factors.append(RiskFactor("high_risk_origin", f"goods from high-risk origin {declaration['origin']}"))
    return Lookup(declaration, hits, factors)


@dataclass(frozen=True)
class LoadedReference:
    """The reference data in force and the event that brought it."""

    data: ReferenceData
    event: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        ref = self.data
        return {"version": ref.version, "loaded_at": self.event["ts"], "loaded_by": self.event["actor"],
                "event_id": self.event["id"], "counts": ref.counts(), "checklists": ref.checklists,
                "currency": ref.currency, "vat_rate": ref.vat_rate}


class ReferenceCache:
    """The current reference data of a store, reloaded when a newer
    ``reference.loaded`` event appears (one indexed query per call)."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._seq = 0
        self._loaded: LoadedReference | None = None

    def current(self) -> LoadedReference | None:
        rows = self._store.query("SELECT max(seq) AS seq FROM events WHERE type = ?", (EVENT_TYPE,))
        seq = rows[0]["seq"] or 0
        with self._lock:
            if seq != self._seq:
                self._loaded = self._load(seq)
                self._seq = seq
            return self._loaded

    def _load(self, seq: int) -> LoadedReference | None:
        event = self._store.get_seq(seq)
        if event is None:
            return None
        try:
            return LoadedReference(parse_reference(event["payload"], f"reference.loaded seq {seq}"), event)
        except ReferenceProblem as exc:  # stored by an older lanebox with other rules: run without
            log.error("reference data not usable, working without it: %s", exc)
            return None
