"""Calibrations and checks: the scale wizard (OIML R 76-1), the trace
detector's daily verification, the readers' functional check, each
device's history, and the certificate.

A session lives on the lane (:class:`edge.calibration.desk.CalibrationDesk`)
while the technician works; the scale's weights are read here from the live
stream — a stable reading that arrived after the technician pressed "read"
or "small weight added" — or, on an extended display, by the driver's
higher-resolution command once the scale is stable; never typed in.
Technicians and supervisors only.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response

from common.clock import utc_now_iso
from common.eventlog.store import EventStore
from common.roles import TECHNICIANS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import current_session, endpoint, lane_server, obj
from drivers.base import DeviceError, NotConnected
from drivers.scale import UnitError, convert
from edge.api.devices import device_or_404
from edge.calibration.checks import CHECK_KINDS, DeviceCheck, etd_daily_check, reader_check
from edge.calibration.numbers import exact
from edge.calibration.oiml_r76 import Instrument, R76Error
from edge.calibration.reading_method import CHANGEOVER, EXTENDED, METHODS, ReadingMethod
from edge.calibration.scale import CalibrationError, ChangeoverLost, ResolutionError, ScaleCalibration
from edge.devices.manager import DeviceState
from edge.reports.calibration import calibration_certificate

bp = Blueprint("calibration", __name__, url_prefix="/api/v1")

#: how long "read" waits for the scale to settle and send a stable weight
READ_TIMEOUT_S = 15.0
POSITIVE = {"type": "number", "exclusiveMinimum": 0, "maximum": 1e9}
TEXT = {"type": "string", "minLength": 1, "maxLength": 100}
SCALE_START = obj({
    "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "instrument": obj({"max": POSITIVE, "e": POSITIVE, "accuracy_class": {"enum": ["III", "IIII"]},
                       "unit": {"enum": ["kg", "g", "t"]}}, required=("max", "e", "accuracy_class")),
    "weights": {"type": "array", "minItems": 1, "maxItems": 100, "items": obj({
        "id": TEXT, "nominal": POSITIVE, "certificate": TEXT,
        "certificate_date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    }, required=("id", "nominal", "certificate", "certificate_date"))},
    "method": {"enum": list(METHODS), "description": "how the indication before rounding is read: changeover "
               "points with small weights (a whole-e display), or an extended display of e/5 or finer"},
    "changeover_step": {**POSITIVE, "description": "the small weights' size (at most, and by default, e/10)"},
    "extended_resolution": {**POSITIVE, "description": "the extended display's interval (e/5 or finer)"},
    "in_service": {"type": "boolean"},
    "eccentricity_zones": {"type": "integer", "minimum": 3, "maximum": 8},
    "repeatability_count": {"type": "integer", "minimum": 3, "maximum": 10},
    "weighing_loads": {"type": "integer", "minimum": 5, "maximum": 12},
}, required=("device_id", "instrument", "weights", "method"))
READ = obj({"load": {**POSITIVE, "description": "the load actually applied, when not the planned one"}})
CHECK_START = obj({
    "device_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "trap_lot": TEXT, "expected_substance": TEXT,
    "expected": {"type": "string", "minLength": 1, "maxLength": 200},
}, required=("device_id",))


def _session(session_id: str) -> Any:
    session = lane_server().calibrations.get(session_id)
    if session is None:
        raise not_found(f"open calibration session {session_id!r}")
    return session


def _scale_session(session_id: str) -> tuple[ScaleCalibration, DeviceState]:
    session = _session(session_id)
    if not isinstance(session, ScaleCalibration):
        raise conflict("this session is a device check, not a scale calibration", "wrong_session")
    return session, device_or_404(session.device_id)


def recorded_or_404(store: EventStore, record_type: str, event_id: str) -> dict[str, Any]:
    """The ``calibration.recorded`` event ``event_id`` if it is a record of
    ``record_type`` (``"calibration"`` or ``"check"``): what a reading may be
    attached to. Anything else, an open session's id included, is a 404: a
    reading attached to no record is evidence of nothing."""
    event = store.get(event_id)
    if (event is None or event["type"] != "calibration.recorded"
            or (event["payload"].get("kind") in CHECK_KINDS) != (record_type == "check")):
        raise not_found(f"{record_type} record {event_id!r}")
    return event


def _answer(session: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"session": session.as_dict(), "event": event}


def _method(body: dict[str, Any], instrument: Instrument, state: DeviceState) -> ReadingMethod:
    """The reading method asked for, checked against R 76-1 (400 naming the field otherwise)."""
    name = body["method"]
    field = "changeover_step" if name == CHANGEOVER else "extended_resolution"
    value = body.get(field)
    if name == EXTENDED and value is None:
        raise ApiError(400, "invalid_field", f"{field}: the extended display's interval is required", field=field)
    try:
        if name == CHANGEOVER:
            return ReadingMethod.changeover(instrument, None if value is None else exact(value))
        command = getattr(state.driver, "extended_command", None) if callable(
            getattr(state.driver, "read_extended", None)) else None
        return ReadingMethod.extended(instrument, exact(value), command)
    except R76Error as exc:
        raise ApiError(400, "invalid_field", f"{field}: {exc}", field=field) from None


@endpoint(bp, "/calibrations/scale", "POST", roles=TECHNICIANS, body=SCALE_START, status=201,
          summary="Start an OIML R 76-1 scale calibration: instrument, reference weights; returns the plan")
def start_scale(body: dict[str, Any]) -> Any:
    state = device_or_404(body["device_id"])
    if state.config.kind != "scale":
        raise conflict(f"{state.config.id} is a {state.config.kind}, not a scale", "not_a_scale")
    spec = body["instrument"]
    unit = spec.get("unit", "kg")
    try:
        instrument = Instrument.of(exact(spec["max"]), exact(spec["e"]), spec["accuracy_class"], unit)
    except R76Error as exc:
        raise ApiError(400, "invalid_field", f"instrument: {exc}", field="instrument") from None
    session = ScaleCalibration(
        device_id=state.config.id, instrument=instrument, unit=unit, weights=body["weights"],
        started_by=current_session().username, started_at=utc_now_iso(), method=_method(body, instrument, state),
        in_service=body.get("in_service", False),
        zones=body.get("eccentricity_zones", 4), repeats=body.get("repeatability_count", 3),
        loads=body.get("weighing_loads", 5))
    return _answer(lane_server().calibrations.open(session))


@endpoint(bp, "/calibrations/sessions/<session_id>", "GET", roles=TECHNICIANS,
          summary="A calibration or check in progress (or, once recorded, its record and event)")
def get_session(session_id: str) -> Any:
    desk = lane_server().calibrations
    session = desk.get(session_id)
    if session is not None:
        return _answer(session)
    event = desk.recorded.get(session_id)
    if event is None:
        raise not_found(f"calibration session {session_id!r}")
    return {"session": event["payload"]["record"], "event": event}


@endpoint(bp, "/calibrations/sessions/<session_id>", "DELETE", roles=TECHNICIANS,
          summary="Abandon a calibration or check in progress (nothing is recorded)")
def abandon(session_id: str) -> Any:
    if not lane_server().calibrations.abandon(session_id):
        raise not_found(f"open calibration session {session_id!r}")
    return {"ok": True}


@endpoint(bp, "/calibrations/sessions/<session_id>/adjust", "POST", roles=TECHNICIANS,
          summary="Before the tests: run the scale's own adjustment (MT-SICS C3) where it has one")
def adjust(session_id: str) -> Any:
    session, state = _scale_session(session_id)
    run = getattr(state.driver, "adjust_internal", None)
    if not callable(run):
        raise conflict(f"{state.config.driver} has no adjustment command", "no_adjustment")
    if session.started:
        raise conflict("adjustment comes before the tests: start a new calibration to adjust", "already_started")
    try:
        run()
        outcome = {"passed": True, "detail": "adjusted (C3 A)"}
    except NotConnected as exc:
        raise ApiError(503, "device_unavailable", str(exc)) from None
    except DeviceError as exc:
        outcome = {"passed": False, "detail": str(exc)}
    who = current_session().username
    event = lane_server().store.append("device.adjusted", {"device_id": state.config.id, **outcome}, who).event
    session.record_adjustment({**outcome, "by": who, "at": event["ts"], "event_id": event["id"]})
    return _answer(session)


def _stable_reading(state: DeviceState) -> tuple[dict[str, Any], bytes]:
    found = lane_server().devices.wait_reading(
        state.config.id, lambda m: bool(m["data"].get("stable")) and m["data"].get("status") == "ok", READ_TIMEOUT_S)
    if found is None:
        raise conflict(f"no stable weight from {state.config.id} within {READ_TIMEOUT_S:g} s", "not_stable")
    return found


def _extended_reading(state: DeviceState, settled: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Once the display is stable, the driver's higher-resolution reading of the same load."""
    try:
        data, raw = state.driver.read_extended()
    except NotConnected as exc:
        raise ApiError(503, "device_unavailable", str(exc)) from None
    except DeviceError as exc:
        raise conflict(f"the scale gave no extended reading: {exc}; calibrate by changeover points instead",
                       "no_extended_reading") from None
    if not data.get("stable") or data.get("status") != "ok":
        raise conflict("the extended reading was not a stable weight: let the load settle and read again",
                       "not_stable")
    return {**settled, "data": data}, raw


def _indication(session: ScaleCalibration, state: DeviceState, extended: bool) -> tuple[Any, dict[str, Any]]:
    """The weight now, in the session's unit, with the reading it came from."""
    message, raw = _stable_reading(state)
    if message["data"].get("tare"):
        raise conflict("the scale shows a net weight: clear the tare first", "tare_active")
    if extended:
        message, raw = _extended_reading(state, message)
    data = message["data"]
    try:
        indication = exact(convert(data["weight"], data["unit"], session.unit))
    except UnitError as exc:
        raise conflict(str(exc), "unit_mismatch") from None
    return indication, {"seq": message["seq"], "ts": message["ts"], "weight": data["weight"],
                        "unit": data["unit"], "raw": raw.decode("latin-1")}


def _finish_if_complete(session: ScaleCalibration) -> Any:
    event = lane_server().calibrations.finish(session, current_session().username) if session.complete else None
    return _answer(session, event)


@endpoint(bp, "/calibrations/sessions/<session_id>/read", "POST", roles=TECHNICIANS, body=READ,
          summary="Read the next point at its load: judged at once on an extended display; by changeover, "
                  "small weights come next")
def read(session_id: str, body: dict[str, Any]) -> Any:
    session, state = _scale_session(session_id)
    point = session.next_point
    if point is None:
        raise conflict("every point has been weighed", "complete")
    zero = getattr(state.driver, "zero", None)
    try:
        if point.step == "zero" and callable(zero):
            zero()
    except NotConnected as exc:
        raise ApiError(503, "device_unavailable", str(exc)) from None
    except DeviceError as exc:
        raise conflict(f"zeroing failed: {exc}", "device_refused") from None
    indication, reading = _indication(session, state, extended=session.method.command is not None)
    load = exact(body["load"]) if "load" in body else None
    try:
        session.record(indication, reading, load)
    except ResolutionError as exc:
        raise conflict(str(exc), "resolution_mismatch") from None
    except CalibrationError as exc:
        raise ApiError(400, "invalid_field", f"load: {exc}", field="load") from None
    return _finish_if_complete(session)


@endpoint(bp, "/calibrations/sessions/<session_id>/small-weight", "POST", roles=TECHNICIANS,
          summary="Changeover points: one more small weight is on; the point is judged once the indication "
                  "turns to I + e")
def small_weight(session_id: str) -> Any:
    session, state = _scale_session(session_id)
    point = session.next_point
    if point is None:
        raise conflict("every point has been weighed", "complete")
    if session.method.name != CHANGEOVER or point.indication is None:
        raise conflict("read the point at its load first (…/read), then add small weights", "read_first")
    indication, reading = _indication(session, state, extended=False)
    try:
        session.add_small_weight(indication, reading)
    except ChangeoverLost as exc:
        raise conflict(str(exc), "changeover_lost") from None
    return _finish_if_complete(session)


@endpoint(bp, "/checks", "POST", roles=TECHNICIANS, body=CHECK_START, status=201,
          summary="Start a device check: trace detector daily verification, or a reader's functional check")
def start_check(body: dict[str, Any]) -> Any:
    state = device_or_404(body["device_id"])
    kind, who, now = state.config.kind, current_session().username, utc_now_iso()
    if kind == "trace":
        for name in ("trap_lot", "expected_substance"):
            if name not in body:
                raise ApiError(400, "invalid_field", f"{name}: required for a trace detector", field=name)
        check = etd_daily_check(state.config.id, body["trap_lot"], body["expected_substance"], who, now)
    elif kind in ("barcode", "document"):
        if "expected" not in body:
            raise ApiError(400, "invalid_field", "expected: what the reference should read", field="expected")
        check = reader_check(state.config.id, kind, body["expected"].strip(), who, now)
    else:
        raise conflict("a scale is checked by calibration (POST /calibrations/scale)", "use_calibration")
    return _answer(lane_server().calibrations.open(check))


@endpoint(bp, "/calibrations/sessions/<session_id>/arm", "POST", roles=TECHNICIANS,
          summary="A check's next step: the next reading from the device is the one judged")
def arm(session_id: str) -> Any:
    session = _session(session_id)
    if not isinstance(session, DeviceCheck):
        raise conflict("a scale calibration reads weights (…/read), it is not armed", "wrong_session")
    session.arm()
    return _answer(session)


@endpoint(bp, "/devices/<device_id>/calibrations", "GET", roles=TECHNICIANS,
          summary="A device's calibrations and checks, newest first, and its standing now")
def history(device_id: str) -> Any:
    server = lane_server()
    rows = server.store.query("SELECT id, at, kind, passed, due_at, data FROM calibrations "
                              "WHERE device_id = ? ORDER BY at DESC, rowid DESC", (device_id,))
    state = server.devices.get(device_id)
    if state is None and not rows:
        raise not_found(f"device {device_id!r}")
    entries = []
    for row in rows:
        # a record made on this lane carries its whole session; one written otherwise (an import) may not
        record = json.loads(row["data"]).get("record")
        by = record["started_by"] if record else (server.store.get(row["id"]) or {}).get("actor")
        entries.append({"event_id": row["id"], "at": row["at"], "kind": row["kind"], "passed": bool(row["passed"]),
                        "due_at": row["due_at"], "by": by, "certificate": record is not None,
                        "params": (record or {}).get("params")})
    return {"device_id": device_id, "calibration": state.calibration if state else None, "history": entries}


@endpoint(bp, "/calibrations/<event_id>/certificate.pdf", "GET", roles=TECHNICIANS,
          summary="The printable certificate of a recorded calibration or check (PDF), with every reading")
def certificate(event_id: str) -> Any:
    server = lane_server()
    event = server.store.get(event_id)
    if event is None or event["type"] != "calibration.recorded" or "record" not in event["payload"]:
        raise not_found(f"calibration record {event_id!r}")
    pdf = calibration_certificate(lane={"id": server.config.lane_id, "name": server.config.lane_name}, event=event,
                                  chain=asdict(server.store.verify()), generated_at=utc_now_iso())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="calibration-{event["id"]}.pdf"'})
