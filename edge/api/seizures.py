"""Seizures, evidence bags and their chain of custody, and the court report.

A seizure lists what was taken from an inspected vehicle; goods go into
bags, each labelled with a QR code of its id; every hand-over of a bag is
an event, confirmed by scanning the label where possible. The report is
that story on paper, with the hash of every event it rests on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Callable

from flask import Blueprint, Response

from common.clock import utc_now_iso
from common.custody import (
    ACTIONS,
    AT_LAB,
    BACK_FROM_LAB,
    SAMPLED,
    SEALING,
    bag_id_for,
    custody_refusal,
    history_of,
    last_sealing,
    last_weighed,
    seal_alarms,
    witness_refusal,
)
from common.eventlog.case_keys import opened_events
from common.eventlog.store import EventStore
from common.roles import RECORD_WRITERS
from common.web.consultation import OPTIONAL, Consultation
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import current_session, endpoint, lane_server, obj
from edge import consultations as consulted
from edge.api import records
from edge.api.custody_witness import HEADER as WITNESS_HEADER
from edge.api.custody_witness import presented_token, witness_of
from edge.api.inspections import find_inspection, inspection_or_404, lane_identity, pdf_response
from edge.api.records import UUID, WRITE_FIELDS
from edge.api.weighing_citations import REUSED, bench_weighing_or_404, citation, refuse_if_cited, weighed_bag
from edge.inspections.photos import photo_reader
from edge.labels.label import label_text, qr_svg
from edge.labels.scan import scanned_bag_id
from edge.reports.court import seizure_report
from edge.retention import ErasureRefused, case_of, persons_fingerprint, sealed_persons, sealing_key
from edge.seizures.cen import PERSONAL_FIELDS, SCHEMAS, SECTIONS, bad_date, prefill
from edge.seizures.view import seizure_view
from edge.seizures.weight_check import sample_alarm, sample_check, weight_alarm, weight_check
from sync.labels import MAX_LABEL_CHARS, LaneKey

bp = Blueprint("seizures", __name__, url_prefix="/api/v1")

TEXT = {"type": "string", "minLength": 1, "maxLength": 500}
ITEM = obj({"description": TEXT,
            "hs_code": {"type": "string", "pattern": "^[0-9]{6,10}$"},
            "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e12},
            "unit": {"enum": ["kg", "g", "l", "pcs", "cartons"]},
            "weight_kg": {"type": "number", "minimum": 0, "maximum": 1e9},
            "value": {"type": "number", "minimum": 0, "maximum": 1e12},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "weighing_id": {**UUID, "description": "the bench weighing (POST /bench-weighings) the item was "
                                                    "weighed with: its weight is that weighing's"}},
           required=("description", "hs_code", "quantity", "unit", "value", "currency"))
SEIZURE = obj({**WRITE_FIELDS,
               "inspection_id": {"type": "string", "minLength": 1, "maxLength": 64},
               "legal_basis": TEXT,
               "items": {"type": "array", "items": ITEM, "minItems": 1, "maxItems": 200},
               **SCHEMAS},
              required=("id", "inspection_id", "legal_basis", "items"))
"""A seizure; its CEN sections (detection, concealment, conveyance, route, persons, companies:
edge/seizures/cen.py) are each optional, so a client that sends only the items keeps working."""
BAG = obj({**WRITE_FIELDS,
           "description": TEXT,
           "items": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1,
                     "maxItems": 200, "uniqueItems": True}},
          required=("id", "description", "items"))
SAMPLE = obj({**WRITE_FIELDS, "description": TEXT}, required=("id", "description"))
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
LAB_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
CUSTODY = obj({**WRITE_FIELDS,
               "action": {"enum": list(ACTIONS)},
               "to": {"type": "string", "minLength": 1, "maxLength": 200},
               "location": {"type": "string", "minLength": 1, "maxLength": 200},
               "seal_number": {"type": "string", "minLength": 1, "maxLength": 64,
                               "description": "sealed: the number on the seal put on; received: the number read"},
               "seal_intact": {"type": "boolean", "description": "received: is the seal intact?"},
               "weighing_id": {**UUID, "description": "the bench weighing (POST /bench-weighings) of the bag, "
                                                      "gross: at sealing (required where the lane has a bench "
                                                      "scale) and at a receipt"},
               "photos": {"type": "array", "items": SHA256, "maxItems": 20, "uniqueItems": True,
                          "description": "SHA-256 of photos uploaded with POST /photos, e.g. of the sealed bag"},
               "sample_bag_id": {"type": "string", "pattern": "^[Bb][Aa][Gg]-[0-9A-Fa-f]{8}$",
                                 "description": "sampled: the sub-bag (POST /bags/{id}/samples, sealed) the sample "
                                                "was put in"},
               "lab": {**LAB_TEXT, "description": "submitted_to_lab: the laboratory's name"},
               "lab_reference": {**LAB_TEXT, "description": "submitted_to_lab: the laboratory's reference"},
               "result_reference": {**LAB_TEXT, "description": "returned_from_lab: the reference of its result"},
               "consumed": {"type": "boolean",
                            "description": "returned_from_lab: the analysis used the sample up (its custody ends)"},
               "confirmation": {"enum": ["scan", "typed"]},
               "scanned_text": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL_CHARS,
                                "description": "what the reader scanned: the bag id, or a sealed bag's signed "
                                               "label (verified)"}},
              required=("id", "action", "confirmation"))
#: what a custody request says that its event keeps as it was sent
CUSTODY_FIELDS = ("action", "to", "location", "seal_number", "seal_intact", "photos", "lab", "lab_reference",
                  "result_reference", "consumed", "confirmation", "scanned_text")
#: the fields a step of each kind needs (400 without), and may have only there
NEEDED = {"handed_over": {"to": "say whom the bag is handed over to"},
          "sealed": {"seal_number": "say the number of the seal put on the bag"},
          "received": {"seal_intact": "say whether the seal is intact"},
          SAMPLED: {"sample_bag_id": "name the sub-bag the sample was put in",
                    "seal_number": "say the number of the new seal on the bag"},
          AT_LAB: {"lab": "name the laboratory", "lab_reference": "give the laboratory's reference"},
          BACK_FROM_LAB: {"result_reference": "give the reference of the laboratory's result",
                          "consumed": "say whether the analysis used the sample up"}}
ONLY = {"seal_intact": ("received",), "sample_bag_id": (SAMPLED,), "lab": (AT_LAB,), "lab_reference": (AT_LAB,),
        "result_reference": (BACK_FROM_LAB,), "consumed": (BACK_FROM_LAB,)}


# ----- reading ---------------------------------------------------------------
def seizure_or_404(store: EventStore, seizure_id: str) -> dict[str, Any]:
    view = seizure_view(opened_events(store, store.record_events([seizure_id.lower()])))
    if view is None:
        raise not_found(f"seizure {seizure_id!r}")
    return view


def bag_or_404(store: EventStore, bag_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bag and the seizure it belongs to."""
    bag_id = bag_id.upper()
    added = next((e for e in store.record_events([bag_id]) if e["type"] == "seizure.bag_added"), None)
    if added is None:
        raise not_found(f"bag {bag_id!r}")
    seizure = seizure_or_404(store, added["payload"]["seizure_id"])
    return next(b for b in seizure["bags"] if b["bag_id"] == bag_id), seizure


def persons_shown(_path_args: dict[str, Any], result: Any) -> list[str]:
    """The personal fields of the persons an answer names (empty: it names nobody)."""
    answer = result[0] if isinstance(result, tuple) else result
    if not isinstance(answer, dict):
        return []
    persons = (answer.get("cen") or answer).get("persons") or []
    return sorted({name for person in persons for name in PERSONAL_FIELDS if person.get(name)})


SEIZURE_PERSONS = Consultation(what="seizure", justification=OPTIONAL, personal=persons_shown)
"""A seizure naming persons: logged, with the reason when one is given (officers work seizures for
months after the inspection; asking at every look would only train them to tap through)."""
PREFILL = Consultation(what="document", personal=persons_shown,
                       implicit=consulted.open_inspection_report)
"""The driver from the attached document: as the inspection itself, its own reason while open."""


@endpoint(bp, "/seizures/<seizure_id>", "GET", summary="One seizure with its bags and their custody",
          consultation=SEIZURE_PERSONS)
def get_seizure(seizure_id: str) -> Any:
    return seizure_or_404(lane_server().store, seizure_id)


@endpoint(bp, "/inspections/<inspection_id>/seizure-prefill", "GET", consultation=PREFILL,
          summary="What the inspection already says of a seizure's CEN sections: detection, conveyance, route, "
                  "the driver from the attached document, the declaration's companies")
def seizure_prefill(inspection_id: str) -> Any:
    return prefill(inspection_or_404(lane_server().store, inspection_id))


# ----- writing ---------------------------------------------------------------
@endpoint(bp, "/seizures", "POST", roles=RECORD_WRITERS, body=SEIZURE, status=201,
          summary="Record a seizure of goods from an inspection")
def create_seizure(body: dict[str, Any]) -> Any:
    store = lane_server().store
    seizure_id = body["id"].lower()
    request_kept, sealing = _sealed_persons(store, body)

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        inspection = inspection_or_404(store, request["inspection_id"])
        if inspection["status"] == "closed" and inspection["outcome"] != "seize":
            raise conflict(f"inspection {inspection['id']} was closed with {inspection['outcome']}; "
                           f"goods are seized only from an open inspection or one closed with seize",
                           "inspection_closed")
        where = bad_date(body)
        if where:
            raise ApiError(400, "invalid_field", f"{where}: not a date of the calendar", field=where)
        items = weighed_items(store, request["items"])
        return {"seizure_id": seizure_id, "inspection_id": inspection["id"],
                "legal_basis": request["legal_basis"], "items": items,
                **{name: body[name] for name in SECTIONS if name in body}, **sealing}

    _, created = records.write(seizure_id, request_kept, "seizure.created", payload)
    return {"seizure": seizure_or_404(store, seizure_id)}, records.status(created)


def _sealed_persons(store: EventStore, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request as the event keeps it, and the payload's persons: sealed under the case's key
    (docs/evidence.md "Retention and erasure"), the request keeping only their fingerprint. Without
    persons, or for an inspection that does not exist (the write refuses it), the request as sent."""
    request = records.request_fields(body)
    case_id = case_of(store, body["inspection_id"]) if body.get("persons") else None
    if case_id is None:
        return request, {}
    try:
        key = sealing_key(store, case_id)
    except ErasureRefused as refused:
        raise conflict(refused.message, refused.code) from None
    return ({**request, "persons": persons_fingerprint(body["persons"], key)},
            {"persons": sealed_persons(body["persons"], case_id, key)})


def weighed_items(store: EventStore, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as recorded: one weighed on the bench scale gets that weighing's weight in kg
    and the weighing (its event id and hash, the scale and its calibration standing) as
    ``weighed``, so the weight in the record is the one the scale showed, never a retyped or a
    vehicle's one. A weighing weighs one item: citing it twice, or one a record already cites,
    is refused."""
    cited = [item["weighing_id"].lower() for item in items if "weighing_id" in item]
    if len(cited) != len(set(cited)):
        raise conflict("one bench weighing is cited by two items; weigh each item on its own", REUSED)
    out = []
    for i, item in enumerate(items):
        if "weighing_id" not in item:
            out.append(item)
            continue
        event = bench_weighing_or_404(store, item["weighing_id"], f"items.{i}")
        refuse_if_cited(store, event["id"])
        weighing = event["payload"]
        if "weight_kg" in item and abs(item["weight_kg"] - weighing["weight_kg"]) > 1e-9:
            raise conflict(f"items.{i}: the weight typed ({item['weight_kg']:g} kg) is not the one weighed "
                           f"({weighing['weight_kg']:g} kg); weigh again or type it without the scale",
                           "weight_differs")
        out.append({**{k: v for k, v in item.items() if k != "weighing_id"},
                    "weight_kg": weighing["weight_kg"], "weighed": citation(event)})
    return out


@endpoint(bp, "/seizures/<seizure_id>/bags", "POST", roles=RECORD_WRITERS, body=BAG, status=201,
          summary="Put seized items into an evidence bag (bag id = BAG- + first 8 hex digits of the id)")
def add_bag(seizure_id: str, body: dict[str, Any]) -> Any:
    store = lane_server().store
    seizure_id = seizure_id.lower()
    bag_id = bag_id_for(body["id"].lower())

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        seizure = seizure_or_404(store, seizure_id)
        for i, index in enumerate(request["items"]):
            if index >= len(seizure["items"]):
                raise ApiError(400, "invalid_field", f"items.{i}: the seizure has items 0-{len(seizure['items']) - 1}",
                               field=f"items.{i}")
        _refuse_if_taken(store, bag_id)
        return {"seizure_id": seizure_id, "bag_id": bag_id, "description": request["description"],
                "items": request["items"]}

    _, created = records.write(body["id"], records.request_fields(body, seizure_id=seizure_id),
                               "seizure.bag_added", payload)
    return {"bag": bag_or_404(store, bag_id)[0]}, records.status(created)


def _refuse_if_taken(store: EventStore, bag_id: str) -> None:
    if store.record_events([bag_id]):
        raise conflict(f"{bag_id} is taken by another bag; make a new id for this one", "bag_id_taken")


@endpoint(bp, "/bags/<bag_id>/samples", "POST", roles=RECORD_WRITERS, body=SAMPLE, status=201,
          responses={404: "no such bag", 409: "the bag cannot be sampled now (custody_order), or the id is taken"},
          summary="Take a sample of a sealed bag into a sub-bag of its own (its id: BAG- + first 8 hex digits of "
                  "the id); then seal the sub-bag and record the parent's sampled step")
def take_sample(bag_id: str, body: dict[str, Any]) -> Any:
    store = lane_server().store
    parent_id, sample_id = bag_id.upper(), bag_id_for(body["id"].lower())

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        parent, seizure = bag_or_404(store, parent_id)
        refusal = custody_refusal(history_of(parent["custody"]), SAMPLED, parent["parent_bag_id"] is not None)
        if refusal:
            raise conflict(refusal, "custody_order")
        _refuse_if_taken(store, sample_id)
        return {"seizure_id": seizure["id"], "bag_id": sample_id, "parent_bag_id": parent_id,
                "description": request["description"], "items": parent["items"]}

    _, created = records.write(body["id"], records.request_fields(body, bag_id=parent_id), "seizure.bag_added",
                               payload)
    return {"bag": bag_or_404(store, sample_id)[0]}, records.status(created)


@endpoint(bp, "/bags/<bag_id>/qr.svg", "GET",
          summary="The bag's label as a QR code (SVG): its signed label once sealed, its id before")
def bag_qr(bag_id: str) -> Any:
    server = lane_server()
    bag, _ = bag_or_404(server.store, bag_id)
    return Response(qr_svg(label_text(server.store, bag, server.label_signer)), mimetype="image/svg+xml")


def _check_custody_request(bag_id: str, request: dict[str, Any], label_keys: list[LaneKey]) -> None:
    action = request["action"]
    for name, why in NEEDED.get(action, {}).items():
        if name not in request:
            raise ApiError(400, "invalid_field", f"{name}: {why}", field=name)
    for name, actions in ONLY.items():
        if name in request and action not in actions:
            where = " or ".join(a.replace("_", " ") for a in actions)
            raise ApiError(400, "invalid_field", f"{name}: only for {where}", field=name)
    if action == "received" and request.get("seal_intact") and "seal_number" not in request:
        raise ApiError(400, "invalid_field", "seal_number: read the number on the seal", field="seal_number")
    if request["confirmation"] == "scan" and scanned_bag_id(request.get("scanned_text", ""), label_keys) != bag_id:
        raise ApiError(400, "scan_mismatch", f"scanned_text: the scanned label is not {bag_id}",
                       field="scanned_text")


def _check_photos(photo_exists: Callable[[str], bool], request: dict[str, Any]) -> None:
    for i, sha256 in enumerate(request.get("photos", [])):
        if not photo_exists(sha256):
            raise ApiError(404, "not_found", f"photos.{i}: no photo {sha256[:12]}... on this lane; upload it first",
                           field=f"photos.{i}")


def _bag_weight(store: EventStore, bag: dict[str, Any], request: dict[str, Any], bench_scale: str | None,
                ) -> dict[str, Any]:
    """The weighing the step cites (``weighed``) and, at a receipt, the check against the weight at the
    last sealing (a sampling reseals the bag, lighter by the sample). A sealing — and the resealing of a
    sampling — needs the weighing where the lane has a bench scale; elsewhere it says it was not taken."""
    action = request["action"]
    if "weighing_id" not in request:
        if action in SEALING and bench_scale is not None:
            raise ApiError(409, "weighing_required", f"weigh the sealed bag on {bench_scale} before "
                                                     f"{action.replace('_', ' ')} is recorded", field="weighing_id")
        return {"weight_not_taken": "this lane has no bench scale"} if action in SEALING else {}
    event = bench_weighing_or_404(store, request["weighing_id"], "weighing_id")
    refuse_if_cited(store, event["id"])
    out: dict[str, Any] = {"weighed": weighed_bag(store, event)}
    sealing = last_sealing(bag["custody"])
    if action == "received" and sealing is not None and sealing.get("weighed"):
        out["weight_check"] = weight_check(sealing["weighed"], out["weighed"])
    return out


def _sample(seizure: dict[str, Any], bag: dict[str, Any], request: dict[str, Any],
            weighed: dict[str, Any] | None) -> dict[str, Any]:
    """A sampling's sub-bag (``sample_bag_id``) and, with all three weighed, the ``sample_check``: the
    parent's last weight less the sample's sealed weight against the parent's weight now. The sub-bag
    must be a sample of this bag, sealed, and not recorded by another sampling."""
    sample_id = request["sample_bag_id"].upper()
    sample = next((b for b in seizure["bags"] if b["bag_id"] == sample_id), None)
    if sample is None or sample.get("parent_bag_id") != bag["bag_id"]:
        raise conflict(f"{sample_id} is not a sample of {bag['bag_id']}: take it with POST /bags/"
                       f"{bag['bag_id']}/samples", "not_a_sample_of_this_bag")
    if not sample["custody"]:
        raise conflict(f"seal the sample's bag {sample_id} (with its weight and a witness) first", "sample_not_sealed")
    if any(step.get("sample_bag_id") == sample_id for step in bag["custody"]):
        raise conflict(f"the sampling into {sample_id} is recorded already", "sample_recorded")
    before, in_bag = last_weighed(bag["custody"]), sample["custody"][0].get("weighed")
    if weighed is None or before is None or in_bag is None:
        return {"sample_bag_id": sample_id}
    return {"sample_bag_id": sample_id, "sample_check": sample_check(before["weighed"], in_bag, weighed)}


def _custody_alarms(bag: dict[str, Any], request: dict[str, Any], step: dict[str, Any]) -> list[dict[str, str]]:
    """What a step found wrong: the weight beyond what the scales (and a sample) explain, the seal."""
    checks = [weight_alarm(step["weight_check"]) if "weight_check" in step else None,
              sample_alarm(step["sample_check"]) if "sample_check" in step else None]
    alarms = [alarm for alarm in checks if alarm]
    if request["action"] == "received":
        sealing = last_sealing(bag["custody"])
        alarms += seal_alarms(sealing["seal_number"] if sealing else None, request["seal_intact"],
                              request.get("seal_number"))
    return alarms


def _bench_scale() -> str | None:
    """The lane's bench scale (a scale with use = "bench"), if it has one."""
    return next((state.config.id for state in lane_server().devices.devices.values()
                 if state.config.kind == "scale" and state.config.use == "bench"), None)


@endpoint(bp, "/bags/<bag_id>/custody", "POST", roles=RECORD_WRITERS, body=CUSTODY, status=201,
          responses={404: "no such bag, bench weighing or photo",
                     409: "out of order; witness required, not valid or the actor; weighing required or reused"},
          summary="Record a custody step of a bag: sealed, handed over, received, stored, released, destroyed "
                  f"(sealed, released and destroyed countersigned by a witness: {WITNESS_HEADER} header)")
def custody(bag_id: str, body: dict[str, Any]) -> Any:
    server = lane_server()
    store = server.store
    bag_id = bag_id.upper()
    actor, witness_token, bench_scale = current_session().username, presented_token(), _bench_scale()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        bag, seizure = bag_or_404(store, bag_id)
        _check_custody_request(bag_id, request, server.label_signer.keys)
        refusal = custody_refusal(history_of(bag["custody"]), request["action"], bag["parent_bag_id"] is not None)
        if refusal:
            raise conflict(refusal, "custody_order")
        witness = witness_of(server.users, witness_token)
        refused = witness_refusal(request["action"], actor, witness)
        if refused:
            raise conflict(refused[1], refused[0])
        _check_photos(lambda sha256: server.photos.path(sha256) is not None, request)
        step = {"seizure_id": seizure["id"], "bag_id": bag_id,
                **{k: request[k] for k in CUSTODY_FIELDS if k in request},
                **({"witness": witness} if witness else {}), **_bag_weight(store, bag, request, bench_scale)}
        if request["action"] == SAMPLED:
            step.update(_sample(seizure, bag, request, step.get("weighed")))
        alarms = _custody_alarms(bag, request, step)
        return {**step, "alarms": alarms} if alarms else step

    event, created = records.write(body["id"], records.request_fields(body, bag_id=bag_id), "seizure.custody",
                                   payload)
    return {"event": event, "bag": bag_or_404(store, bag_id)[0]}, records.status(created)


# ----- the report ------------------------------------------------------------
@endpoint(bp, "/seizures/<seizure_id>/report.pdf", "GET",
          summary="The seizure report (PDF): items, bags, custody, photos, every event and its hash",
          consultation=consulted.SEIZURE_REPORT)
def report(seizure_id: str) -> Any:
    server = lane_server()
    seizure = seizure_or_404(server.store, seizure_id)
    return pdf_response(seizure_report_pdf(server, seizure), f"seizure-{seizure['id']}.pdf")


def seizure_report_pdf(server: Any, seizure: dict[str, Any]) -> bytes:
    """The seizure's report (also put in its case bundle, edge.bundle), with its inspection's events."""
    store = server.store
    inspection = find_inspection(store, seizure["inspection_id"])
    events = store.record_events([seizure["id"], seizure["inspection_id"]])
    return seizure_report(lane=lane_identity(server), seizure=seizure, inspection=inspection, events=events,
                          chain=asdict(store.verify()), generated_at=utc_now_iso(),
                          photo_path=photo_reader(server.photos, store))
