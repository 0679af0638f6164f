"""Attaching a device's current reading to a record — how a reading becomes
evidence (docs/architecture.md, decision 3).

The event keeps the reading as the tablet saw it, the raw frame it came
from, the device's identity and its calibration state at that moment. For
an inspection the server also judges the reading there and then (weight
against the declaration, trace alarm, passport checks and watchlist) and
keeps that ``assessment`` in the same event. The client makes the event
id, so a retry after a lost answer is harmless (:mod:`edge.api.records`).

Only this vehicle's readings make its record: a reading read before the
inspection started (a weight unchanged since then included) may be the
previous vehicle's, and a weight below the weighbridge's Min is the empty
platform's. Either is refused (409, nothing stored) unless the officer
gives a ``reason``, which the event keeps under ``overrides``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.clock import utc_now
from common.personal_data import DOCUMENT_READING_PATHS, seal_paths
from common.roles import DEVICE_OPERATORS, RECORD_WRITERS, TECHNICIANS
from common.web.errors import ApiError, conflict
from common.web.routing import current_session, endpoint, lane_server, obj
from edge.api import records
from edge.api.calibration import recorded_or_404
from edge.api.devices import device_or_404
from edge.api.inspections import open_inspection
from edge.api.reading_evidence import reading_evidence
from edge.api.records import UUID
from edge.api.seizures import seizure_or_404
from edge.devices.manager import DeviceState
from edge.inspections.rules import assess_reading, flag, load_problem, read_before, settled_since
from edge.retention import ErasureRefused, case_of, sealing_key
from edge.vehicles.interlock import interlock, shows_load
from edge.weighing.instrument import last_scale_data

bp = Blueprint("attachments", __name__, url_prefix="/api/v1")

#: who attaches to which record: officers to their work, technicians to calibrations and checks
RECORD_ROLES = {"inspection": RECORD_WRITERS, "seizure": RECORD_WRITERS,
                "calibration": TECHNICIANS, "check": TECHNICIANS}
RECORD_TYPES = list(RECORD_ROLES)
ATTACHMENT = obj({
    "id": UUID,
    "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "record_type": {"enum": RECORD_TYPES},
    "record_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "note": {"type": "string", "maxLength": 2000},
    "reading_seq": {"type": "integer", "minimum": 1,
                    "description": "the seq of the reading the officer saw: that one is recorded"},
    "reason": {"type": "string", "minLength": 1, "maxLength": 2000,
               "description": "why a reading the inspection refuses (read_before_start, below_min) is "
                              "this vehicle's: it is then attached and the reason kept"},
}, required=("id", "device_id", "record_type", "record_id"))

@endpoint(bp, "/attachments", "POST", roles=DEVICE_OPERATORS, body=ATTACHMENT, status=201,
          responses={404: "no such device, or no such record of that type",
                     409: "the reading or the record does not take this attachment (see the code)"},
          summary="Attach a device's current reading to a record (inspection, seizure, calibration, check)")
def attach(body: dict[str, Any]) -> Any:
    server = lane_server()
    record_type = body["record_type"]
    if current_session().role not in RECORD_ROLES[record_type]:
        raise ApiError(403, "forbidden", f"the {current_session().role} role may not attach to a {record_type}")
    record_id = body["record_id"].lower()  # every record is named by its (lower-case) event id
    sealing = _sealing(server, body["device_id"], record_type, record_id)

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        state = device_or_404(request["device_id"], server.devices)
        if state.locked:
            raise ApiError(423, "device_locked",
                           f"{state.config.id} is locked by a supervisor: {state.locked['reason']}")
        inspection = open_inspection(server.store, record_id) if record_type == "inspection" else None
        if inspection is not None and state.config.use == "bench":
            raise conflict(f"{state.config.id} is the bench scale for seized goods, not the weighbridge: "
                           "weigh the vehicle on the weighbridge", "bench_scale")
        if record_type == "seizure":
            seizure_or_404(server.store, record_id)
        if record_type in ("calibration", "check"):
            recorded_or_404(server.store, record_type, record_id)
        evidence = {f"{record_type}_id": record_id, **reading_evidence(state, request.get("reading_seq"))}
        if inspection is not None:
            if server.config.interlock and state.config.kind == "scale":
                _interlocked(server, state, inspection, evidence["reading"])
            if state.config.kind == "trace" and evidence["reading"]["data"].get("verification"):
                raise conflict(f"that result of {state.config.id} is a verification sample (a trap or blank of "
                               "its daily check), not a swab of this vehicle: swab the vehicle", "verification_sample")
            problems = _not_this_vehicles(server, state, inspection, evidence["reading"])
            if problems and "reason" not in request:
                raise conflict(f"{problems[0]['message']}; attach it with a reason if it is this vehicle's",
                               problems[0]["code"])
            if problems:
                evidence["overrides"] = [{**problem, "reason": request["reason"]} for problem in problems]
            evidence["assessment"] = _assess(server, inspection, evidence["reading"])
        return seal_paths(evidence, DOCUMENT_READING_PATHS, *sealing) if sealing else evidence

    event, created = records.write(body["id"], records.request_fields(body), "reading.attached", payload)
    return {"event": event}, records.status(created)


def _sealing(server: Any, device_id: str, record_type: str, record_id: str) -> tuple[str, bytes] | None:
    """The case key id and key a travel document's reading is sealed with (its holder's fields
    are personal data: docs/evidence.md "Retention and erasure"); None for other readings, for
    calibrations and checks (a specimen document), and for a record that does not exist (the
    write refuses it). 409 ``case_erased`` for a case whose personal data was erased."""
    state = server.devices.get(device_id)
    if state is None or state.config.kind != "document" or record_type not in ("inspection", "seizure"):
        return None
    case_id = case_of(server.store, record_id)
    if case_id is None:
        return None
    try:
        return case_id, sealing_key(server.store, case_id)
    except ErasureRefused as refused:
        raise conflict(refused.message, refused.code) from None


def _interlocked(server: Any, state: DeviceState, inspection: dict[str, Any], reading: dict[str, Any]) -> None:
    """On an interlocked lane, refuse (409 ``interlock``, reason or not) a weight taken before the vehicle's
    radiation scan ended clear or was adjudicated, or one that is not a vehicle on the platform."""
    gate = interlock(inspection["radiation"], shows_load(server, state.config.id, reading["data"]))
    if not gate["ready"]:
        raise conflict(gate["why"], "interlock")


def _not_this_vehicles(server: Any, state: DeviceState, inspection: dict[str, Any],
                       reading: dict[str, Any]) -> list[dict[str, str]]:
    """Why the reading may not be this vehicle's: read (for a scale, its weight unchanged) since
    before the inspection started, or a weight no vehicle makes (below Min)."""
    problems = []
    if state.config.kind == "scale":
        load = load_problem(reading["data"], last_scale_data(server.store, state.config.id))
        if load is not None:
            problems.append(load)
        since = settled_since([message for message, _ in state.recent], reading["seq"]) or reading["ts"]
    else:
        since = reading["ts"]
    early = read_before(since, inspection["started_at"])
    if early is not None:
        what = "the weight has not changed since" if state.config.kind == "scale" else "it was read"
        problems.append(flag("read_before_start", f"{what} {max(1, round(early))} s before the inspection started"))
    return problems


def _assess(server: Any, inspection: dict[str, Any], reading: dict[str, Any]) -> dict[str, Any]:
    loaded = server.reference.current()
    declaration = inspection["declaration"] or {}
    return assess_reading(reading["kind"], reading["data"], declared_kg=declaration.get("gross_weight_kg"),
                          tolerance_pct=server.config.weight_tolerance_pct,
                          today=utc_now().date(),
                          watch=loaded.data.watch if loaded else lambda kind, value: [])
