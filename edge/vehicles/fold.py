"""A vehicle at the lane, folded from its events — pure functions.

The lane writes a vehicle's story as events (``vehicle.arrived``,
``vehicle.read``, ``rpm.occupancy``, ``vehicle.dismissed``, and the
``inspection.started`` that takes it); :func:`apply` folds one more event
into the vehicle's state, the same way for the ``vehicles`` read model
(:mod:`edge.vehicles.projection`) and for an inspection's view of its
vehicle, so both always say the same. A ``vehicle.read`` names the
``camera.read`` event it matched; its plate and containers are taken from
there (``read``).

The camera's words are checked, not believed: a plate is normalised (a text
that is no plate is left out), a container's check digit is computed here
whatever the camera says about it.
"""

from __future__ import annotations

import copy
from typing import Any

from common.identifiers import normalise_plate
from drivers.validation.iso6346 import normalise_container_number, parse_container_number

WAITING, TAKEN, DISMISSED = "waiting", "taken", "dismissed"
EVENT_TYPES = ("vehicle.arrived", "vehicle.read", "rpm.occupancy", "vehicle.dismissed")
#: occupancy fields the vehicle and the inspection show
OCCUPANCY_FIELDS = ("started_at", "ended_at", "alarm", "gamma_alarm", "neutron_alarm", "gamma", "neutron",
                    "speed_kmh")


def read_plate(read: dict[str, Any]) -> str | None:
    """The normalised plate of a ``camera.read`` payload, or None (no plate, or one no vehicle has)."""
    plate = read.get("plate")
    if not isinstance(plate, dict) or not isinstance(plate.get("text"), str):
        return None
    try:
        return normalise_plate(plate["text"])
    except ValueError:
        return None


def _confidence(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _photo(read: dict[str, Any]) -> str | None:
    photo = read.get("photo")
    return photo.get("sha256") if isinstance(photo, dict) else None


def read_containers(read: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a ``camera.read`` payload: code, check digit (ours), confidence."""
    found = []
    for item in read.get("containers") or []:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and item["code"].strip():
            code = normalise_container_number(item["code"])[:32]
            found.append({"code": code, "check_ok": bool(parse_container_number(code)["valid"]),
                          "confidence": _confidence(item.get("confidence"))})
    return found


def new_vehicle(event: dict[str, Any]) -> dict[str, Any]:
    payload = event["payload"]
    return {"id": payload["vehicle"], "arrived_at": event["ts"], "trigger": payload.get("trigger"),
            "last_seen": event["ts"], "plate": None, "containers": [], "reads": [], "occupancies": [],
            "status": WAITING, "inspection_id": None, "dismissed": None}


def apply(state: dict[str, Any] | None, event: dict[str, Any],
          read: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The vehicle after ``event`` (a new state; ``state`` is not changed). ``read`` is the
    ``camera.read`` event a ``vehicle.read`` names (None if it cannot be found)."""
    kind, payload = event["type"], event["payload"]
    if kind == "vehicle.arrived":
        return new_vehicle(event)
    if state is None:
        return None
    state = copy.deepcopy(state)
    if kind == "vehicle.read":
        state["last_seen"] = max(state["last_seen"], event["ts"])
        if read is not None:
            _take_read(state, read)
    elif kind == "rpm.occupancy":
        state["last_seen"] = max(state["last_seen"], event["ts"])
        occupancy = payload.get("occupancy") if isinstance(payload.get("occupancy"), dict) else {}
        state["occupancies"].append({"event_id": event["id"], "device_id": payload.get("device"),
                                     "calibration_due": bool(payload.get("calibration_due")),
                                     **{key: occupancy.get(key) for key in OCCUPANCY_FIELDS}})
    elif kind == "vehicle.dismissed":
        state.update(status=DISMISSED, dismissed={"reason": payload.get("reason"), "by": event["actor"],
                                                  "at": event["ts"], "event_id": event["id"]})
    elif kind == "inspection.started":
        state.update(status=TAKEN, inspection_id=payload.get("inspection_id"))
    return state


def _take_read(state: dict[str, Any], read_event: dict[str, Any]) -> None:
    read = read_event["payload"]
    photo, plate = _photo(read), read_plate(read)
    confidence = _confidence((read.get("plate") or {}).get("confidence")) if plate else None
    if plate is not None and (state["plate"] is None or _better(confidence, state["plate"]["confidence"])):
        state["plate"] = {"text": plate, "confidence": confidence, "photo_sha256": photo,
                          "read": read_event["id"]}
    containers = read_containers(read)
    for container in containers:
        held = next((c for c in state["containers"] if c["code"] == container["code"]), None)
        if held is None:
            state["containers"].append({**container, "photo_sha256": photo, "read": read_event["id"]})
        elif _better(container["confidence"], held["confidence"]):
            held.update(confidence=container["confidence"], photo_sha256=photo, read=read_event["id"])
    state["reads"].append({"event_id": read_event["id"], "camera": read.get("camera"), "at": read_event["ts"],
                           "plate": plate, "containers": [c["code"] for c in containers], "photo_sha256": photo})


def _better(new: float | None, held: float | None) -> bool:
    return new is not None and (held is None or new > held)


def fold(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A vehicle from its events (seq order) and the ``camera.read`` events they name."""
    reads = {e["id"]: e for e in events if e["type"] == "camera.read"}
    state: dict[str, Any] | None = None
    for event in events:
        if event["type"] in (*EVENT_TYPES, "inspection.started"):
            state = apply(state, event, reads.get(event["payload"].get("camera_read", "")))
    return state


def scan_state(state: dict[str, Any], scanning: bool) -> str:
    """``none``, ``open`` (in the portal: this lane saw its scan start, or it arrived by a scan
    that has not ended) or ``done``."""
    if scanning or (state["trigger"] == "occupancy" and not state["occupancies"]):
        return "open"
    return "done" if state["occupancies"] else "none"


def radiation_summary(state: dict[str, Any], scanning: bool) -> dict[str, Any] | None:
    """The VEHICLE's ``radiation``: its last scan's result, ``occupied`` while it is in the portal."""
    scan = scan_state(state, scanning)
    if scan == "none":
        return None
    if scan == "open":
        return {"state": "occupied", "gamma_alarm": False, "neutron_alarm": False, "occupancy_event": None,
                "ended_at": None}
    last = state["occupancies"][-1]
    return {"state": "alarm" if last["alarm"] else "clear", "gamma_alarm": bool(last["gamma_alarm"]),
            "neutron_alarm": bool(last["neutron_alarm"]), "occupancy_event": last["event_id"],
            "ended_at": last["ended_at"]}


def _needs_confirmation(confidence: float | None, confirm_below: float) -> bool:
    return confidence is None or confidence < confirm_below


def public_vehicle(state: dict[str, Any], *, confirm_below: float, scanning: bool,
                   declaration: dict[str, Any] | None) -> dict[str, Any]:
    """The VEHICLE of docs/officer-api.md."""
    plate = state["plate"]
    return {
        "id": state["id"], "arrived_at": state["arrived_at"], "trigger": state["trigger"],
        "plate": None if plate is None else {
            "text": plate["text"], "confidence": plate["confidence"], "photo_sha256": plate["photo_sha256"],
            "needs_confirmation": _needs_confirmation(plate["confidence"], confirm_below)},
        "containers": [{"code": c["code"], "check_ok": c["check_ok"], "confidence": c["confidence"],
                        "photo_sha256": c["photo_sha256"],
                        "needs_confirmation": not c["check_ok"] or _needs_confirmation(c["confidence"], confirm_below)}
                       for c in state["containers"]],
        "radiation": radiation_summary(state, scanning),
        "declaration": declaration,
        "inspection_id": state["inspection_id"],
    }
