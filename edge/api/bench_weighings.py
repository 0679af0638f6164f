"""Weighing seized goods on the lane's bench scale: the reading the officer saw,
frozen as evidence the moment "From scale" is tapped.

The seizure itself may be recorded minutes later (or replayed from the tablet's
outbox after a Wi-Fi gap), long after the scale's reading has scrolled out of the
readings the lane keeps; so the weighing is an event of its own
(``goods.weighed``), and a seized item cites it by id. Only a scale whose
``use`` is ``bench`` weighs goods: the weighbridge's reading is a vehicle's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.roles import RECORD_WRITERS
from common.web.errors import ApiError, conflict
from common.web.routing import endpoint, lane_server, obj
from drivers.scale import UnitError, convert
from edge.api import records
from edge.api.devices import device_or_404
from edge.api.reading_evidence import reading_evidence
from edge.api.records import WRITE_FIELDS

bp = Blueprint("bench_weighings", __name__, url_prefix="/api/v1")

WEIGHED = "goods.weighed"
BENCH_WEIGHING = obj({**WRITE_FIELDS,
                      "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
                      "reading_seq": {"type": "integer", "minimum": 1,
                                      "description": "the seq of the stable reading the officer saw"}},
                     required=("id", "device_id", "reading_seq"))


@endpoint(bp, "/bench-weighings", "POST", roles=RECORD_WRITERS, body=BENCH_WEIGHING, status=201,
          responses={404: "no such device", 409: "not a bench scale, or the reading is not one to record",
                     423: "the scale is locked"},
          summary="Weigh seized goods on the bench scale: its reading, frozen as evidence for a seized item")
def weigh(body: dict[str, Any]) -> Any:
    server = lane_server()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        state = device_or_404(request["device_id"], server.devices)
        if state.config.kind != "scale" or state.config.use != "bench":
            raise conflict(f"{state.config.id} is not a bench scale; seized goods are weighed on the lane's "
                           "bench scale, never on the weighbridge", "not_a_bench_scale")
        if state.locked:
            raise ApiError(423, "device_locked",
                           f"{state.config.id} is locked by a supervisor: {state.locked['reason']}")
        evidence = reading_evidence(state, request["reading_seq"])
        data = evidence["reading"]["data"]
        try:
            kg = round(convert(float(data["weight"]), data["unit"], "kg"), 6)
        except (UnitError, TypeError, ValueError):
            raise conflict(f"{state.config.id} shows no weight in a unit of mass", "no_weight") from None
        return {"device_id": state.config.id, "weight_kg": kg, **evidence}

    event, created = records.write(body["id"], records.request_fields(body), WEIGHED, payload)
    return {"event": event}, records.status(created)
