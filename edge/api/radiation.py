"""A radiation portal monitor's scan, exported as an ANSI N42.42-2011 document.

N42.42 is how radiation instrument data moves between programmes and
reach-back analysts: the scan (``rpm.occupancy``) goes out with every
adjudication an officer recorded for it, built by :mod:`edge.radiation.n42`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from common.web.errors import not_found
from common.web.routing import endpoint, lane_server
from edge.api.inspections import lane_identity
from edge.radiation.n42 import occupancy_n42

bp = Blueprint("radiation", __name__, url_prefix="/api/v1")


@endpoint(bp, "/occupancies/<event_id>/n42.xml", "GET", responses={404: "no radiation scan with that event id"},
          summary="A radiation scan (rpm.occupancy event) with its adjudications as an ANSI N42.42-2011 document")
def occupancy_document(event_id: str) -> Any:
    server = lane_server()
    event = server.store.get(event_id.lower())
    if event is None or event["type"] != "rpm.occupancy":
        raise not_found(f"radiation scan {event_id!r}")
    state = server.vehicles.state(event["payload"]["vehicle"]) or {}
    inspection = state.get("inspection_id")
    adjudications = [e["payload"] for e in server.store.record_events([inspection] if inspection else [])
                     if e["type"] == "radiation.adjudicated" and e["payload"].get("occupancy_event") == event["id"]]
    document = occupancy_n42({**event["payload"]["occupancy"], "id": event["id"]}, lane=lane_identity(server),
                             device_id=event["payload"]["device"], adjudications=adjudications)
    return Response(document, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="occupancy-{event["id"]}.n42.xml"'})
