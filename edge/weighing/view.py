"""A weighbridge transaction as the tablet and the ticket show it, folded from its events.

``weighing.first`` (its id is the transaction's) opens it with the first
pass — or, against a tare stored for the plate, completes it at once;
``weighing.second`` completes it. ``weighing.tare_stored`` keeps an empty
vehicle's weight for its plate. Each pass keeps the reading, its raw line,
the device and the scale's calibration standing at that moment.
"""

from __future__ import annotations

from typing import Any

from common.eventlog.store import EventStore

FIRST, SECOND, TARE_STORED = "weighing.first", "weighing.second", "weighing.tare_stored"


def transaction_events(store: EventStore, transaction_id: str) -> list[dict[str, Any]]:
    """The transaction's events, oldest first; [] when there is no such transaction."""
    first = store.get(transaction_id)
    if first is None or first["type"] != FIRST:
        return []
    rows = store.query("SELECT id FROM events WHERE type = ? AND json_extract(payload, '$.transaction_id') = ? "
                       "ORDER BY seq", (SECOND, first["id"]))
    return [first, *(store.get(row["id"]) for row in rows)]


def stored_tare(store: EventStore, plate: str) -> dict[str, Any] | None:
    """The latest ``weighing.tare_stored`` event for ``plate`` (normalised), or None."""
    rows = store.query("SELECT id FROM events WHERE type = ? AND json_extract(payload, '$.plate') = ? "
                       "ORDER BY seq DESC LIMIT 1", (TARE_STORED, plate))
    return store.get(rows[0]["id"]) if rows else None


def pass_entry(event: dict[str, Any]) -> dict[str, Any]:
    """One pass (or a stored tare) as shown: its weight, when and by whom, and the scale's standing then."""
    weighed = event["payload"]["pass"]
    return {"event_id": event["id"], "hash": event["hash"], "at": event["ts"], "by": event["actor"],
            "weight": weighed["weight"], "unit": weighed["unit"], "device_id": weighed["device"]["id"],
            "identity": weighed["device"]["identity"], "raw": weighed["raw"]["text"],
            "calibration": weighed["calibration"], "calibration_due": weighed["calibration_due"]}


def transaction_view(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The transaction of ``events`` (from :func:`transaction_events`, not empty)."""
    first = events[0]
    payload = first["payload"]
    completing = next((e for e in events if e["type"] == SECOND), first if "result" in payload else None)
    passes = [pass_entry(e) for e in events]
    tare = payload.get("stored_tare")
    return {"id": first["id"], "plate": payload["plate"], "inspection_id": payload.get("inspection_id"),
            "scale": payload["scale"], "status": "complete" if completing else "open", "passes": passes,
            "stored_tare": tare, "result": completing and completing["payload"]["result"],
            "assessment": completing and completing["payload"].get("assessment"),
            "calibration_due": any(p["calibration_due"] for p in passes) or bool(tare and tare["calibration_due"])}
