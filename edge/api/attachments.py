"""Attaching a device's current reading to a record — how a reading becomes
evidence (DESIGN.md decision 3).

The event keeps the reading as the tablet saw it, the raw frame it came
from, the device's identity and its calibration state at that moment. The
client makes the event id, so a retry after a lost answer is harmless: the
same id with the same request returns the first result; the same id with a
different request is a 409.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from flask import Blueprint

from edge.api.devices import device_or_404
from edge.api.errors import ApiError, conflict
from edge.api.routing import current_session, endpoint, lane_server, obj
from edge.device_manager import DeviceState

bp = Blueprint("attachments", __name__, url_prefix="/api/v1")

ATTACH = ("officer", "technician", "supervisor")
RECORD_TYPES = ["inspection", "seizure", "calibration", "check"]
UUID = {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}
ATTACHMENT = obj({
    "id": UUID,
    "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "record_type": {"enum": RECORD_TYPES},
    "record_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "note": {"type": "string", "maxLength": 2000},
}, required=("id", "device_id", "record_type", "record_id"))

#: a reading older than this is refused: it no longer shows what is on the lane
MAX_AGE_S = 30.0


def _reading_evidence(state: DeviceState) -> dict[str, Any]:
    """The reading, its raw frame and the device's standing, frozen now."""
    latest = state.latest
    if latest is None:
        raise conflict(f"{state.config.id} has sent no reading yet", "no_reading")
    age = time.time() - datetime.fromisoformat(latest["ts"].replace("Z", "+00:00")).timestamp()
    if age > MAX_AGE_S:
        raise conflict(f"the last reading of {state.config.id} is {age:.0f} s old", "stale_reading")
    data = latest["data"]
    if state.config.kind == "scale" and (not data.get("stable") or data.get("status") != "ok"):
        raise conflict("the weight is not stable yet; wait for the stable mark", "not_stable")
    raw = state.latest_raw
    return {
        "reading": latest,
        "reading_age_s": round(age, 3),
        "raw": {"hex": raw.hex(), "text": raw.decode("latin-1")},
        "device": {"id": state.config.id, "kind": state.config.kind, "driver": state.config.driver,
                   "port": state.config.port, "identity": dict(state.driver.identity)},
        "device_state": state.public_state,
        "calibration": dict(state.calibration),
        "calibration_due": state.calibration.get("status") in ("due", "failed"),
    }


@endpoint(bp, "/attachments", "POST", roles=ATTACH, body=ATTACHMENT, status=201,
          summary="Attach a device's current reading to a record (inspection, seizure, calibration, check)")
def attach(body: dict[str, Any]) -> Any:
    from edge.store import ConflictError

    store = lane_server().store
    request_fields = {k: v for k, v in body.items() if k != "id"}
    existing = store.get(body["id"])
    if existing is not None:
        return _replay(existing, request_fields)
    state = device_or_404(body["device_id"])
    if state.locked:
        raise ApiError(423, "device_locked", f"{state.config.id} is locked by a supervisor: {state.locked['reason']}")
    payload = {"request": request_fields, f"{body['record_type']}_id": body["record_id"], **_reading_evidence(state)}
    try:
        event = store.append("reading.attached", payload, current_session().username, id=body["id"]).event
    except ConflictError:  # the same id raced in from a retry: judge it like one
        return _replay(store.get(body["id"]), request_fields)
    return {"event": event}


def _replay(existing: dict[str, Any], request_fields: dict[str, Any]) -> Any:
    if existing["type"] != "reading.attached" or existing["payload"].get("request") != request_fields:
        raise conflict(f"id {existing['id']} was already used for a different record", "id_reused")
    return {"event": existing}, 200
