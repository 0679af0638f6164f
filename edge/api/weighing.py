"""Weighbridge transactions: a first and a second weighing (or one against a
tare stored for the plate), gross − tare = net, and the ticket.

Each pass is the reading the officer saw on the scale's tile (``reading_seq``),
taken as attachments take it (:func:`edge.api.reading_evidence.reading_evidence`:
stable, current, unchanged, with its raw line, the device and its calibration
standing), then checked against the weighbridge's own data from its last
calibration record (:mod:`edge.weighing.rules`: Min, Max, motion, no tare).
Writes are the tablet's idempotent writes (:mod:`edge.api.records`); the
checks run inside them, so a transaction is completed once. Linked to an
inspection, the completed transaction's net is judged against the declared
weight in the completing event.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response

from common.clock import utc_now_iso
from common.eventlog.store import EventStore
from common.identifiers import normalise_plate
from common.roles import DEVICE_OPERATORS, RECORD_WRITERS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import endpoint, lane_server, obj
from edge import consultations as consulted
from edge.api import records
from edge.api.devices import device_or_404
from edge.api.inspections import open_inspection
from edge.api.reading_evidence import reading_evidence
from edge.api.records import UUID, WRITE_FIELDS
from edge.inspections.rules import assess_weight
from edge.reports.weighing import weighing_ticket
from edge.weighing.instrument import last_scale_data
from edge.weighing.rules import ScaleData, WeighingRefused, net_result, pass_weight
from edge.weighing.view import FIRST, SECOND, TARE_STORED, pass_entry, stored_tare, transaction_events, transaction_view

bp = Blueprint("weighing", __name__, url_prefix="/api/v1")

DEVICE = {"type": "string", "minLength": 1, "maxLength": 64}
PLATE = {"type": "string", "minLength": 1, "maxLength": 32}
SEQ = {"type": "integer", "minimum": 1, "description": "the seq of the reading the officer saw: that one is weighed"}
FIRST_BODY = obj({**WRITE_FIELDS, "device_id": DEVICE, "plate": PLATE, "reading_seq": SEQ, "inspection_id": UUID,
                  "stored_tare": {"type": "boolean", "description": "complete at once against the plate's stored "
                                                                   "tare"}},
                 required=("id", "device_id", "plate"))
SECOND_BODY = obj({**WRITE_FIELDS, "device_id": DEVICE, "reading_seq": SEQ}, required=("id", "device_id"))
TARE_BODY = obj({**WRITE_FIELDS, "device_id": DEVICE, "plate": PLATE, "reading_seq": SEQ},
                required=("id", "device_id", "plate"))


def _plate(text: str) -> str:
    try:
        return normalise_plate(text)
    except ValueError as exc:
        raise ApiError(400, "invalid_field", f"plate: {exc}", field="plate") from None


def scale_data(store: EventStore, device_id: str) -> ScaleData:
    """The weighbridge's Max, e, Min and unit from its last calibration on this lane (409 without one)."""
    scale = last_scale_data(store, device_id)
    if scale is None:
        raise conflict(f"{device_id} has no calibration record stating its e and Min: calibrate it first",
                       "no_scale_data")
    return scale


def _pass(server: Any, device_id: str, reading_seq: int | None) -> tuple[dict[str, Any], ScaleData]:
    """One pass's evidence with its weight, checked by R 76-1 (raised as 409 with the rule's code).
    Runs inside the write, on the writer thread: ``server`` is handed in."""
    state = device_or_404(device_id, server.devices)
    if state.config.kind != "scale":
        raise conflict(f"{state.config.id} is a {state.config.kind}, not a scale", "not_a_scale")
    if state.locked:
        raise ApiError(423, "device_locked", f"{state.config.id} is locked by a supervisor: {state.locked['reason']}")
    scale = scale_data(server.store, state.config.id)
    evidence = reading_evidence(state, reading_seq)
    try:
        weight = pass_weight(evidence["reading"]["data"], scale)
    except WeighingRefused as exc:
        raise conflict(str(exc), exc.code) from None
    return {**evidence, "weight": str(weight), "unit": scale.unit}, scale


def _completed(server: Any, payload: dict[str, Any], first_weight: str, second_weight: str,
               unit: str) -> dict[str, Any]:
    """The result, and against an inspection's declaration the net's assessment."""
    result = net_result(Decimal(first_weight), Decimal(second_weight), unit)
    payload["result"] = result
    inspection_id = payload.get("inspection_id")
    if inspection_id:
        declaration = open_inspection(server.store, inspection_id)["declaration"] or {}
        payload["assessment"] = assess_weight({"weight": result["net"], "unit": unit},
                                              declaration.get("gross_weight_kg"), server.config.weight_tolerance_pct)
    return payload


def _stored_tare_entry(store: EventStore, plate: str, unit: str) -> dict[str, Any]:
    event = stored_tare(store, plate)
    if event is None:
        raise conflict(f"no tare is stored for {plate}: weigh it twice, or store its tare empty", "no_stored_tare")
    entry = pass_entry(event)
    if entry["unit"] != unit:
        raise conflict(f"the stored tare of {plate} is in {entry['unit']}, the weighbridge weighs in {unit}",
                       "unit_mismatch")
    return entry


def _transaction(store: EventStore, transaction_id: str) -> list[dict[str, Any]]:
    events = transaction_events(store, transaction_id.lower())
    if not events:
        raise not_found(f"weighing {transaction_id!r}")
    return events


def _answer(event: dict[str, Any], transaction_id: str) -> dict[str, Any]:
    return {"event": event, "transaction": transaction_view(_transaction(lane_server().store, transaction_id))}


@endpoint(bp, "/weighings", "POST", roles=RECORD_WRITERS, body=FIRST_BODY, status=201,
          responses={404: "no such device or inspection", 409: "no weighing result (see the code)",
                     423: "the device is locked"},
          summary="First weighing of a vehicle (or, with stored_tare, its only one): the reading shown, by R 76-1")
def first_weighing(body: dict[str, Any]) -> Any:
    plate, server = _plate(body["plate"]), lane_server()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        weighed, scale = _pass(server, request["device_id"], request.get("reading_seq"))
        out: dict[str, Any] = {"transaction_id": body["id"].lower(), "plate": plate, "pass": weighed,
                               "scale": scale.as_dict()}
        if request.get("inspection_id"):
            out["inspection_id"] = open_inspection(server.store, request["inspection_id"])["id"]
        if request.get("stored_tare"):
            out["stored_tare"] = _stored_tare_entry(server.store, plate, scale.unit)
            _completed(server, out, weighed["weight"], out["stored_tare"]["weight"], scale.unit)
        return out

    event, created = records.write(body["id"], records.request_fields(body), FIRST, payload)
    return _answer(event, event["id"]), records.status(created)


@endpoint(bp, "/weighings/<transaction_id>/second", "POST", roles=RECORD_WRITERS, body=SECOND_BODY, status=201,
          responses={404: "no such weighing or device", 409: "complete already, or no weighing result",
                     423: "the device is locked"},
          summary="Second weighing: completes the transaction with gross, tare and net")
def second_weighing(transaction_id: str, body: dict[str, Any]) -> Any:
    server = lane_server()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        view = transaction_view(_transaction(server.store, transaction_id))
        if view["status"] == "complete":
            raise conflict(f"weighing {view['id']} is complete", "weighing_complete")
        weighed, scale = _pass(server, request["device_id"], request.get("reading_seq"))
        first = view["passes"][0]
        if scale.unit != first["unit"]:
            raise conflict(f"the first pass was in {first['unit']}, this scale weighs in {scale.unit}",
                           "unit_mismatch")
        out = {"transaction_id": view["id"], "pass": weighed, "scale": scale.as_dict()}
        if view["inspection_id"]:
            out["inspection_id"] = view["inspection_id"]
        return _completed(server, out, first["weight"], weighed["weight"], scale.unit)

    request = {**records.request_fields(body), "transaction_id": transaction_id.lower()}
    event, created = records.write(body["id"], request, SECOND, payload)
    return _answer(event, event["payload"]["transaction_id"]), records.status(created)


@endpoint(bp, "/weighings/<transaction_id>", "GET", roles=DEVICE_OPERATORS,
          summary="A weighbridge transaction: its passes, the scale's standing at each, and gross, tare, net")
def get_weighing(transaction_id: str) -> Any:
    return transaction_view(_transaction(lane_server().store, transaction_id))


@endpoint(bp, "/weighings/<transaction_id>/ticket.pdf", "GET", roles=DEVICE_OPERATORS,
          summary="The weighbridge ticket (PDF): both passes, gross, tare, net, calibration standing, event hashes",
          consultation=consulted.DRIVER_COPY)
def ticket(transaction_id: str) -> Any:
    server = lane_server()
    events = _transaction(server.store, transaction_id)
    view = transaction_view(events)
    if view["stored_tare"]:
        events = [*events, server.store.get(view["stored_tare"]["event_id"])]
    pdf = weighing_ticket(lane={"id": server.config.lane_id, "name": server.config.lane_name}, view=view,
                          events=events, chain=asdict(server.store.verify()), generated_at=utc_now_iso())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="weighing-{view["id"]}.pdf"'})


@endpoint(bp, "/tares", "POST", roles=RECORD_WRITERS, body=TARE_BODY, status=201,
          responses={404: "no such device", 409: "no weighing result (see the code)", 423: "the device is locked"},
          summary="Store a vehicle's tare by plate: the empty vehicle's weight, by R 76-1")
def store_tare(body: dict[str, Any]) -> Any:
    plate, server = _plate(body["plate"]), lane_server()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        weighed, scale = _pass(server, request["device_id"], request.get("reading_seq"))
        return {"plate": plate, "pass": weighed, "scale": scale.as_dict()}

    event, created = records.write(body["id"], records.request_fields(body), TARE_STORED, payload)
    return {"event": event}, records.status(created)


@endpoint(bp, "/tares/<plate>", "GET", roles=DEVICE_OPERATORS,
          summary="The tare stored for a plate, if any")
def get_tare(plate: str) -> Any:
    normalised = _plate(plate)
    event = stored_tare(lane_server().store, normalised)
    return {"plate": normalised, "tare": event and pass_entry(event)}
