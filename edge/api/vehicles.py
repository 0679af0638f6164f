"""The vehicles at the lane: the queue the tablets show, and an officer's dismissal.

The queue is the lane's own (:mod:`edge.vehicles.queue`): made from what its
radiation portal monitor and cameras saw. Officers read it, start an
inspection from a vehicle (``POST /inspections`` with ``vehicle_id``, which
takes it) or dismiss one that is not a vehicle or drove on.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.eventlog.store import EventStore
from common.roles import RECORD_WRITERS
from common.web.errors import conflict, not_found
from common.web.routing import endpoint, lane_server, obj
from edge.api import records
from edge.api.records import WRITE_FIELDS
from edge.vehicles.fold import DISMISSED, TAKEN
from edge.vehicles.projection import TABLE

bp = Blueprint("vehicles", __name__, url_prefix="/api/v1")

DISMISS = obj({**WRITE_FIELDS, "reason": {"type": "string", "minLength": 1, "maxLength": 500}},
              required=("id", "reason"))


def vehicle_to_take(store: EventStore, vehicle_id: str) -> str:
    """The id of a vehicle still waiting to be inspected: 404 unknown, 409 taken or dismissed.
    Runs inside the write that takes it (the store's writer), so two officers cannot both take it."""
    vehicle_id = vehicle_id.lower()
    rows = store.query(f"SELECT status, inspection_id FROM {TABLE} WHERE id = ?", (vehicle_id,))
    if not rows:
        raise not_found(f"vehicle {vehicle_id!r}")
    if rows[0]["status"] == TAKEN:
        raise conflict("an inspection was already started from this vehicle", "vehicle_taken")
    if rows[0]["status"] == DISMISSED:
        raise conflict("this vehicle was dismissed from the queue", "vehicle_dismissed")
    return vehicle_id


@endpoint(bp, "/vehicles", "GET", summary="The vehicles waiting at the lane, oldest first (plate, containers, "
                                          "radiation scan, declaration)")
def list_vehicles() -> Any:
    return {"vehicles": lane_server().vehicles.waiting()}


@endpoint(bp, "/vehicles/<vehicle_id>/dismiss", "POST", roles=RECORD_WRITERS, body=DISMISS, status=201,
          responses={404: "no such vehicle", 409: "the vehicle was taken by an inspection, or dismissed already"},
          summary="Take a vehicle off the queue: not a vehicle, or it drove on (with the reason)")
def dismiss(vehicle_id: str, body: dict[str, Any]) -> Any:
    server = lane_server()
    vehicle_id = vehicle_id.lower()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        return {"vehicle": vehicle_to_take(server.store, vehicle_id), "reason": request["reason"]}

    event, created = records.write(body["id"], records.request_fields(body, vehicle=vehicle_id),
                                   "vehicle.dismissed", payload)
    server.vehicles.changed(vehicle_id)
    return {"event": event}, records.status(created)
