"""What an inspection started from a vehicle shows of it — pure functions.

The inspection VIEW (:mod:`edge.inspections.view`) gains the vehicle (its
plate and containers as the cameras read them, with their photos) and its
radiation: every scan of it, every adjudication recorded at the inspection,
and whether an alarm still waits for one. An alarm not adjudicated is an open
flag that blocks release (docs/officer-api.md).
"""

from __future__ import annotations

from typing import Any

from common.clock import differing_claim
from common.radiation import adjudication_words
from edge.vehicles.fold import fold

UNADJUDICATED = "rpm_alarm"
REAL_THREAT = "radiation_threat"


def vehicle_part(state: dict[str, Any]) -> dict[str, Any]:
    """The VIEW's ``vehicle``."""
    return {key: state[key] for key in ("id", "arrived_at", "trigger", "plate", "containers", "reads")}


def _adjudication(event: dict[str, Any]) -> dict[str, Any]:
    payload = event["payload"]
    return {"event_id": event["id"], "at": event["ts"], "by": event["actor"],
            "acted_at": differing_claim(event["ts"], payload.get("acted_at")),
            "occupancy_event": payload["occupancy_event"], "code": payload["code"],
            "code_text": adjudication_words(payload["code"]), "secondary": payload["secondary"],
            "note": payload.get("note")}


def radiation_part(state: dict[str, Any], adjudications: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The VIEW's ``radiation`` (None when the vehicle had no scan)."""
    occupancies = [{**o, "n42_url": f"/api/v1/occupancies/{o['event_id']}/n42.xml"} for o in state["occupancies"]]
    if not occupancies:
        return None if state["trigger"] != "occupancy" else {
            "occupancies": [], "adjudications": adjudications, "needs_adjudication": False, "state": "occupied"}
    judged = {a["occupancy_event"] for a in adjudications}
    open_alarms = [o for o in occupancies if o["alarm"] and o["event_id"] not in judged]
    alarmed = any(o["alarm"] for o in occupancies)
    return {"occupancies": occupancies, "adjudications": adjudications, "needs_adjudication": bool(open_alarms),
            "state": "alarm" if open_alarms else "adjudicated" if alarmed else "clear"}


def radiation_flags(radiation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Open flags: each alarm not adjudicated; an adjudication as a real threat (the last one stands)."""
    if radiation is None:
        return []
    judged = {a["occupancy_event"]: a for a in radiation["adjudications"]}
    flags = []
    for occupancy in radiation["occupancies"]:
        if not occupancy["alarm"]:
            continue
        kinds = " and ".join(k for k in ("gamma", "neutron") if occupancy.get(f"{k}_alarm")) or "radiation"
        last = judged.get(occupancy["event_id"])
        if last is None:
            flags.append({"code": UNADJUDICATED, "event_id": occupancy["event_id"],
                          "message": f"{kinds} alarm at the portal monitor {occupancy['device_id']}: "
                                     f"adjudicate it (secondary scan, code) before release"})
        elif last["code"] == "real_threat":
            flags.append({"code": REAL_THREAT, "event_id": last["event_id"],
                          "message": f"{kinds} alarm adjudicated as a real threat"})
    return flags


def vehicle_sections(vehicle_events: list[dict[str, Any]], inspection_events: list[dict[str, Any]]
                     ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(vehicle, radiation)`` of the VIEW, from the vehicle's events (with the camera reads they
    name) and the inspection's (its adjudications)."""
    state = fold(vehicle_events)
    if state is None:
        return None, None
    adjudications = [_adjudication(e) for e in inspection_events if e["type"] == "radiation.adjudicated"]
    return vehicle_part(state), radiation_part(state, adjudications)
