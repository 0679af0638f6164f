"""Devices: list and inspect them; zero and tare a scale; lock and unlock.

Zeroing, taring and locking change what later evidence means, so each is
an event with the person who did it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.roles import DEVICE_OPERATORS, SUPERVISORS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import current_session, endpoint, lane_server, obj
from drivers.base import DeviceError, NotConnected
from edge.devices.manager import DeviceManager, DeviceState
from edge.devices.setup import LOCKED, UNLOCKED

bp = Blueprint("devices", __name__, url_prefix="/api/v1")

REASON = obj({"reason": {"type": "string", "minLength": 3, "maxLength": 500}}, required=("reason",))


def device_or_404(device_id: str, devices: DeviceManager | None = None) -> DeviceState:
    """The device's state; ``devices`` is for callers outside a request (the store's writer)."""
    state = (devices or lane_server().devices).get(device_id)
    if state is None:
        raise not_found(f"device {device_id!r}")
    return state


@endpoint(bp, "/devices", "GET", summary="Every device: state, counters, identity, last reading")
def list_devices() -> Any:
    return {"devices": lane_server().devices.snapshot()}


@endpoint(bp, "/devices/<device_id>", "GET", summary="One device")
def get_device(device_id: str) -> Any:
    return device_or_404(device_id).describe()


SCALE_EVENTS = {"zero": "device.zeroed", "tare": "device.tared"}


def _scale_command(device_id: str, action: str) -> Any:
    state = device_or_404(device_id)
    if state.config.kind != "scale":
        raise conflict(f"{device_id} is a {state.config.kind}, not a scale", "not_a_scale")
    if state.locked:
        raise ApiError(423, "device_locked", f"{device_id} is locked: {state.locked['reason']}")
    try:
        reply = getattr(state.driver, action)()
    except NotConnected as exc:
        raise ApiError(503, "device_unavailable", str(exc)) from None
    except DeviceError as exc:
        raise conflict(str(exc), "device_refused") from None
    server = lane_server()
    payload = {"device_id": device_id, "reply": None if reply is None else str(reply)}
    event = server.store.append(SCALE_EVENTS[action], payload, current_session().username).event
    return {"ok": True, "device_id": device_id, "event_id": event["id"], "reply": payload["reply"]}


@endpoint(bp, "/devices/<device_id>/zero", "POST", roles=DEVICE_OPERATORS,
          summary="Zero a scale (scale must be empty and stable)")
def zero(device_id: str) -> Any:
    return _scale_command(device_id, "zero")


@endpoint(bp, "/devices/<device_id>/tare", "POST", roles=DEVICE_OPERATORS, summary="Tare a scale with what is on it")
def tare(device_id: str) -> Any:
    return _scale_command(device_id, "tare")


@endpoint(bp, "/devices/<device_id>/lock", "POST", roles=SUPERVISORS, body=REASON,
          summary="Lock a device: its readings cannot be attached to records")
def lock(device_id: str, body: dict[str, Any]) -> Any:
    state = device_or_404(device_id)
    server = lane_server()
    who = current_session().username
    event = server.store.append(LOCKED, {"device_id": device_id, "reason": body["reason"]}, who).event
    server.devices.set_locked(device_id, {"by": who, "reason": body["reason"], "at": event["ts"]})
    return state.describe()


@endpoint(bp, "/devices/<device_id>/unlock", "POST", roles=SUPERVISORS, body=REASON,
          summary="Unlock a device")
def unlock(device_id: str, body: dict[str, Any]) -> Any:
    state = device_or_404(device_id)
    server = lane_server()
    server.store.append(UNLOCKED, {"device_id": device_id, "reason": body["reason"]},
                        current_session().username)
    server.devices.set_locked(device_id, None)
    return state.describe()

