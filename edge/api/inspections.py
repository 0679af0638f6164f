"""Inspections: start one, read it, add findings and checklist ticks, close it,
and print its report.

Each write is one event made idempotent by the tablet's id
(:mod:`edge.api.records`); the inspection the app shows is folded from the
inspection's own events (:mod:`edge.inspections.view`). A closed inspection
is a finished record: it refuses every further write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, request

from common.clock import utc_now_iso
from common.eventlog.case_keys import opened_events
from common.eventlog.store import EventStore
from common.identifiers import normalise_plate
from common.radiation import ADJUDICATIONS, SECONDARY_RESULTS
from common.roles import RECORD_WRITERS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import endpoint, lane_server, obj, query_int
from drivers.validation.iso6346 import normalise_container_number, parse_container_number
from edge import consultations as consulted
from edge.api import records
from edge.api.records import UUID, WRITE_FIELDS
from edge.api.vehicles import vehicle_to_take
from edge.inspections.photos import photo_reader
from edge.inspections.risk import RiskFactor, score_risk
from edge.inspections.rules import answered_flags, container_problem, unanswered_flags
from edge.inspections.view import inspection_view
from edge.reference import look_up
from edge.reports.court import inspection_report
from edge.seizures.view import seizure_view
from edge.vehicles.interlock import weight_interlock
from edge.vehicles.records import started_vehicle, vehicle_events

bp = Blueprint("inspections", __name__, url_prefix="/api/v1")

CATEGORIES = ["goods", "concealment", "documents", "biosecurity", "other"]
OUTCOMES = ["release", "refer", "seize"]
INSPECTION_TYPE = {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"}

START = obj({**WRITE_FIELDS,
             "plate": {"type": "string", "minLength": 1, "maxLength": 32},
             "containers": {"type": "array", "maxItems": 20,
                            "items": {"type": "string", "minLength": 1, "maxLength": 32}},
             "declaration_ref": {"type": "string", "minLength": 1, "maxLength": 64},
             "inspection_type": INSPECTION_TYPE,
             "vehicle_id": {**UUID, "description": "the vehicle at the lane (GET /api/v1/vehicles) this "
                                                   "inspection is of: it is taken from the queue"}},
            required=("id", "plate", "containers", "inspection_type"))
FINDING = obj({**WRITE_FIELDS,
               "category": {"enum": CATEGORIES},
               "note": {"type": "string", "minLength": 1, "maxLength": 4000},
               "photos": {"type": "array", "maxItems": 50, "uniqueItems": True,
                          "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
              required=("id", "category", "note"))
CHECK = obj({**WRITE_FIELDS,
             "item": {"type": "string", "minLength": 1, "maxLength": 500},
             "checked": {"type": "boolean"},
             "note": {"type": "string", "maxLength": 2000}},
            required=("id", "item", "checked"))
REASON = {"type": "string", "minLength": 1, "maxLength": 2000}
OUTCOME = obj({**WRITE_FIELDS,
               "outcome": {"enum": OUTCOMES},
               "reason": REASON,
               "flag_reasons": {"type": "object", "maxProperties": 20,
                                "propertyNames": {"pattern": "^[a-z][a-z_]{0,39}$"},
                                "additionalProperties": REASON,
                                "description": "why the vehicle is released despite each open flag, by flag code"}},
              required=("id", "outcome"))

ADJUDICATION = obj({**WRITE_FIELDS,
                    "occupancy_event": {**UUID, "description": "the rpm.occupancy event adjudicated (the VIEW's "
                                                               "radiation.occupancies[].event_id)"},
                    "code": {"enum": list(ADJUDICATIONS)},
                    "secondary": obj({"performed": {"type": "boolean"},
                                      "result": {"enum": list(SECONDARY_RESULTS)},
                                      "nuclide": {"type": "string", "minLength": 1, "maxLength": 64},
                                      "dose_rate_usv_h": {"type": "number", "minimum": 0, "maximum": 1e6}},
                                     required=("performed", "result")),
                    "note": {"type": "string", "minLength": 1, "maxLength": 2000}},
                   required=("id", "occupancy_event", "code", "secondary"))


# ----- reading inspections (also used by attachments, seizures, duty) ------
def find_inspection(store: EventStore, inspection_id: str) -> dict[str, Any] | None:
    """The inspection's VIEW, or None if no such inspection was started."""
    events = opened_events(store, store.record_events([inspection_id.lower()]))
    return inspection_view(events, vehicle_events(store, started_vehicle(events)))


def shown(view: dict[str, Any]) -> dict[str, Any]:
    """The VIEW as a route answers it: with the weight step's interlock as the lane stands now."""
    server = lane_server()
    return {**view, "interlock": weight_interlock(server, view) if server.config.interlock else None}


def inspection_or_404(store: EventStore, inspection_id: str) -> dict[str, Any]:
    view = find_inspection(store, inspection_id)
    if view is None:
        raise not_found(f"inspection {inspection_id!r}")
    return view


def open_inspection(store: EventStore, inspection_id: str) -> dict[str, Any]:
    """The VIEW of an inspection that still takes writes: 404 unknown, 409 closed."""
    view = inspection_or_404(store, inspection_id)
    if view["status"] == "closed":
        raise conflict(f"inspection {view['id']} is closed ({view['outcome']}); it takes no more writes",
                       "inspection_closed")
    return view


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", f"{field}: {message}", field=field)


# ----- starting --------------------------------------------------------------
def _checked_containers(texts: list[str]) -> list[str]:
    numbers: list[str] = []
    for i, text in enumerate(texts):
        problem = container_problem(text)
        if problem:
            raise _invalid(f"containers.{i}", problem)
        number = normalise_container_number(text)
        if number in numbers:
            raise _invalid(f"containers.{i}", f"{number} is listed twice")
        numbers.append(number)
    return numbers


@endpoint(bp, "/inspections", "POST", roles=RECORD_WRITERS, body=START, status=201,
          summary="Start an inspection: checks containers, looks up declaration, watchlist and risk")
def start_inspection(body: dict[str, Any]) -> Any:
    server = lane_server()
    inspection_id = body["id"].lower()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        try:
            plate = normalise_plate(request["plate"])
        except ValueError as exc:
            raise _invalid("plate", str(exc)) from None
        containers = _checked_containers(request["containers"])
        loaded = server.reference.current()
        inspection_type = request["inspection_type"]
        if loaded is None:
            found, factors, checklist = None, [RiskFactor("no_reference", "no reference data loaded: "
                                                                          "nothing was checked")], []
        else:
            checklists = loaded.data.checklists
            if inspection_type not in checklists:
                raise _invalid("inspection_type", f"{inspection_type!r} is not one of {', '.join(checklists)}")
            found = look_up(loaded.data, plate, containers, request.get("declaration_ref"))
            factors, checklist = found.factors, checklists[inspection_type]
        declaration = found.declaration if found else None
        taken = request.get("vehicle_id")
        vehicle = {"vehicle_id": vehicle_to_take(server.store, taken)} if taken else {}
        return {"inspection_id": inspection_id, **vehicle, "plate": plate, "containers": containers,
                "declaration_ref": declaration["ref"] if declaration else request.get("declaration_ref"),
                "inspection_type": inspection_type,
                "container_checks": [parse_container_number(c) for c in containers],
                "declaration": declaration, "watchlist_hits": found.watchlist_hits if found else [],
                "risk": score_risk(factors), "risk_factors": [f.as_json() for f in factors],
                "checklist": checklist, "reference_version": loaded.data.version if loaded else None}

    event, created = records.write(inspection_id, records.request_fields(body), "inspection.started", payload)
    if event["payload"].get("vehicle_id"):
        server.vehicles.changed(event["payload"]["vehicle_id"])
    return {"inspection": shown(inspection_or_404(server.store, inspection_id))}, records.status(created)


# ----- reading ---------------------------------------------------------------
@endpoint(bp, "/inspections", "GET", summary="Inspections, newest first",
          query={"status": {"type": "string", "description": "open or closed"},
                 "limit": {"type": "integer", "description": "at most this many (1-200, default 50)"}},
          consultation=consulted.INSPECTION_DOCUMENT)
def list_inspections() -> Any:
    status = request.args.get("status")
    if status not in (None, "open", "closed"):
        raise _invalid("status", "must be open or closed")
    limit = query_int("limit", 50, 1, 200)
    store = lane_server().store
    rows = store.query("SELECT id FROM inspections WHERE (:status IS NULL OR status = :status) "
                       "ORDER BY coalesce(started_at, updated_at) DESC, rowid DESC LIMIT :limit",
                       {"status": status, "limit": limit})
    ids = [row["id"] for row in rows]
    by_inspection: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for event in opened_events(store, store.record_events(ids)):
        owner = event["payload"].get("inspection_id")
        if owner in by_inspection:
            by_inspection[owner].append(event)
    views = (inspection_view(by_inspection[i], vehicle_events(store, started_vehicle(by_inspection[i]))) for i in ids)
    return {"inspections": [shown(view) for view in views if view is not None]}


@endpoint(bp, "/inspections/<inspection_id>", "GET", summary="One inspection (VIEW), built from its events",
          consultation=consulted.INSPECTION_DOCUMENT)
def get_inspection(inspection_id: str) -> Any:
    return shown(inspection_or_404(lane_server().store, inspection_id))


# ----- writing to an open inspection ----------------------------------------
def _write(inspection_id: str, body: dict[str, Any], event_type: str,
           more: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]) -> Any:
    """One write to an open inspection: ``more(view, request)`` checks the
    request against the inspection and returns the payload's own fields."""
    store = lane_server().store
    inspection_id = inspection_id.lower()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        view = open_inspection(store, inspection_id)
        return {"inspection_id": inspection_id, **more(view, request)}

    event, created = records.write(body["id"], records.request_fields(body, inspection_id=inspection_id),
                                   event_type, payload)
    return {"event": event, "inspection": shown(inspection_or_404(store, inspection_id))}, records.status(created)


@endpoint(bp, "/inspections/<inspection_id>/findings", "POST", roles=RECORD_WRITERS, body=FINDING, status=201,
          summary="Record a finding with uploaded photos")
def add_finding(inspection_id: str, body: dict[str, Any]) -> Any:
    photos = lane_server().photos

    def finding(view: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        for i, sha256 in enumerate(request.get("photos", [])):
            if photos.path(sha256) is None:
                raise ApiError(400, "unknown_photo", f"photos.{i}: no photo {sha256} was uploaded "
                                                     f"(POST /api/v1/photos first)", field=f"photos.{i}")
        return {"category": request["category"], "note": request["note"], "photos": request.get("photos", [])}

    return _write(inspection_id, body, "inspection.finding_added", finding)


@endpoint(bp, "/inspections/<inspection_id>/checklist", "POST", roles=RECORD_WRITERS, body=CHECK, status=201,
          summary="Tick (or untick) an item of the inspection's checklist")
def check_item(inspection_id: str, body: dict[str, Any]) -> Any:
    def item(view: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        if request["item"] not in view["checklist"]["items"]:
            raise ApiError(400, "unknown_checklist_item", f"item: not on the {view['inspection_type']} checklist",
                           field="item")
        return {"item": request["item"], "checked": request["checked"], "note": request.get("note")}

    return _write(inspection_id, body, "inspection.checklist_item", item)


@endpoint(bp, "/inspections/<inspection_id>/outcome", "POST", roles=RECORD_WRITERS, body=OUTCOME, status=201,
          summary="Close the inspection: release, refer or seize")
def close_inspection(inspection_id: str, body: dict[str, Any]) -> Any:
    def outcome(view: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        reason, flag_reasons = request.get("reason"), request.get("flag_reasons", {})
        if request["outcome"] == "release" and (view["radiation"] or {}).get("needs_adjudication"):
            raise conflict("the vehicle's radiation alarm is not adjudicated: record the secondary scan and the "
                           "adjudication before releasing it (refer or seize it otherwise)", "radiation_unadjudicated")
        missing = unanswered_flags(view["flags"], reason, flag_reasons)
        if request["outcome"] == "release" and missing:
            raise ApiError(400, "reason_required", f"flag_reasons.{missing[0]}: a vehicle is released despite an "
                                                   f"open flag ({', '.join(missing)}) only with a reason for each",
                           field=f"flag_reasons.{missing[0]}")
        return {"outcome": request["outcome"], "reason": reason,
                "flags_answered": answered_flags(view["flags"], reason, flag_reasons)}

    return _write(inspection_id, body, "inspection.closed", outcome)


@endpoint(bp, "/inspections/<inspection_id>/radiation", "POST", roles=RECORD_WRITERS, body=ADJUDICATION, status=201,
          responses={409: "the inspection is closed, or its vehicle had no radiation scan"},
          summary="Adjudicate the vehicle's radiation scan: secondary scan result and adjudication code")
def adjudicate_radiation(inspection_id: str, body: dict[str, Any]) -> Any:
    def adjudication(view: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        scans = [o["event_id"] for o in (view["radiation"] or {}).get("occupancies", [])]
        if not scans:
            raise conflict("this inspection's vehicle has had no radiation scan to adjudicate", "no_occupancy")
        occupancy = request["occupancy_event"].lower()
        if occupancy not in scans:
            raise _invalid("occupancy_event", "not a radiation scan of this inspection's vehicle")
        secondary = request["secondary"]
        if secondary["performed"] == (secondary["result"] == "not_done"):
            raise _invalid("secondary.result", "a secondary scan performed has a result; one not performed is "
                                               "not_done")
        return {"id": body["id"].lower(), "occupancy_event": occupancy, "code": request["code"],
                "secondary": secondary, "note": request.get("note")}

    return _write(inspection_id, body, "radiation.adjudicated", adjudication)


# ----- the report ------------------------------------------------------------
def lane_identity(server: Any) -> dict[str, str]:
    """The lane as every printed report names it in its heading."""
    return {"id": server.config.lane_id, "name": server.config.lane_name, "timezone": server.config.timezone}


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A report shown in the browser's viewer (inline) and saved under a name that says what it is."""
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@endpoint(bp, "/inspections/<inspection_id>/report.pdf", "GET",
          summary="The inspection report (PDF): readings with calibration, findings, checklist, outcome, "
                  "seizures, every event and its hash", consultation=consulted.INSPECTION_REPORT)
def report(inspection_id: str) -> Any:
    server = lane_server()
    inspection = inspection_or_404(server.store, inspection_id)
    return pdf_response(inspection_report_pdf(server, inspection), f"inspection-{inspection['id']}.pdf")


def inspection_report_pdf(server: Any, inspection: dict[str, Any]) -> bytes:
    """The inspection's report (also put in its case bundle, edge.bundle). Its seizures' events
    are printed too: the bag ids the report names rest on them."""
    store = server.store
    seizures = [view for view in (seizure_view(store.record_events([s])) for s in inspection["seizures"]) if view]
    return inspection_report(lane=lane_identity(server), inspection=inspection, seizures=seizures,
                             events=store.record_events([inspection["id"], *inspection["seizures"]]),
                             chain=asdict(store.verify()), generated_at=utc_now_iso(),
                             photo_path=photo_reader(server.photos, store))
