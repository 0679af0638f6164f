"""The weighing interlock: a weight is this vehicle's only once its radiation scan is done.

On a lane with ``[lane] interlock = true`` the weight step waits until the
vehicle's radiation portal scan has ended clear (or its alarm has been
adjudicated) and the vehicle is on the scale: weighing a lorry that was
never screened, or an empty platform, makes a record that cannot be relied
on. :func:`interlock` is the rule; :func:`weight_interlock` asks the lane's
scales how things stand now.
"""

from __future__ import annotations

from typing import Any

from edge.inspections.rules import load_problem
from edge.weighing.instrument import last_scale_data

READY = "The radiation scan is done and the vehicle is on the scale: weigh it"


def interlock(radiation: dict[str, Any] | None, loaded: bool | None) -> dict[str, Any]:
    """``{"ready", "why"}`` from the inspection's ``radiation`` and whether the scale shows a load
    (None: the scale has shown no stable weight)."""
    if radiation is None or not radiation["occupancies"] and radiation["state"] != "occupied":
        why = "This vehicle has not been through the radiation portal: drive it through first"
    elif radiation["state"] == "occupied":
        why = "The radiation scan is still running: wait until the vehicle has left the portal"
    elif radiation["needs_adjudication"]:
        why = "Radiation alarm: record the secondary scan and the adjudication first"
    elif loaded is None:
        why = "The scale shows no stable weight yet"
    elif not loaded:
        why = "Nothing is on the scale: drive the vehicle onto the platform"
    else:
        return {"ready": True, "why": READY}
    return {"ready": False, "why": why}


def shows_load(server: Any, device_id: str, data: dict[str, Any]) -> bool:
    """Whether a scale's stable weight is a vehicle's (not below its Min, not the empty platform)."""
    return load_problem(data, last_scale_data(server.store, device_id)) is None


def weight_interlock(server: Any, view: dict[str, Any]) -> dict[str, Any]:
    """The interlock of an inspection's weight step as the lane's scales stand now."""
    loaded: bool | None = None
    for state in server.devices.devices.values():
        latest = state.latest
        weighbridge = state.config.kind == "scale" and state.config.use != "bench"
        if weighbridge and latest is not None and latest["data"].get("stable"):
            loaded = bool(loaded) or shows_load(server, state.config.id, latest["data"])
    return interlock(view["radiation"], loaded)
