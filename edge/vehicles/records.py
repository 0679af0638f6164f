"""Reading a vehicle's story from the store: its events and the camera reads they name."""

from __future__ import annotations

from typing import Any

from common.eventlog.store import EventStore


def vehicle_events(store: EventStore, vehicle_id: str | None) -> list[dict[str, Any]]:
    """The vehicle's events (the ``record_events`` index) with the ``camera.read`` events its
    ``vehicle.read`` events name, in seq order; [] for None."""
    if not vehicle_id:
        return []
    events = store.record_events([vehicle_id.lower()])
    reads = [store.get(e["payload"]["camera_read"]) for e in events
             if e["type"] == "vehicle.read" and isinstance(e["payload"].get("camera_read"), str)]
    return sorted([*events, *(r for r in reads if r is not None)], key=lambda e: e["seq"])


def started_vehicle(events: list[dict[str, Any]]) -> str | None:
    """The vehicle an inspection (its events) was started from, or None."""
    start = next((e for e in events if e["type"] == "inspection.started"), None)
    return start["payload"].get("vehicle_id") if start is not None else None
