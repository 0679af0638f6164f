"""Erasure orders and legal holds: a supervisor erases a case's personal data, or
puts the case under legal hold so that nothing erases it (docs/officer-api.md,
docs/evidence.md "Retention and erasure").

Each is one event of the lane's log, written through :mod:`edge.api.records`
(the client's id makes a retry harmless): ``case.erased``, whose projection
destroys the case's key in the same transaction (edge.retention), and
``case.legal_hold``. Whether the case may be erased or held is judged inside
the write, so a hold set a moment earlier is always seen. A refusal stores
nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.erasure import ERASED, LEGAL_HOLD, ORDERED
from common.eventlog.case_keys import wipe_freed
from common.roles import SUPERVISORS
from common.web.errors import ApiError, conflict, not_found
from common.web.routing import endpoint, lane_server, obj
from edge.api import records
from edge.api.records import WRITE_FIELDS
from edge.retention import ErasureRefused, case_of, erasure_event, hold_event

bp = Blueprint("erasure", __name__, url_prefix="/api/v1")

CASE_ID = {"type": "string", "minLength": 1, "maxLength": 64,
           "description": "the inspection's id, or one of its seizures' (a seizure is part of its inspection's case)"}
REASON = {"type": "string", "minLength": 1, "maxLength": 2000,
          "description": "why, in words: kept in the event (never anything personal)"}
ERASURE = obj({**WRITE_FIELDS, "case_id": CASE_ID, "reason": REASON}, required=("id", "case_id", "reason"))
HOLD = obj({**WRITE_FIELDS, "hold": {"type": "boolean", "description": "true sets the hold, false lifts it"},
            "reason": REASON}, required=("id", "hold", "reason"))
REFUSALS = {404: "no such case at this lane",
            409: "case_open (an open inspection), legal_hold (the case is held), case_erased (already "
                 "erased), not_held (lifting a hold not in force); nothing is stored"}


def _case_or_404(case_id: str) -> str:
    inspection_id = case_of(lane_server().store, case_id)
    if inspection_id is None:
        raise not_found(f"case {case_id!r}")
    return inspection_id


def _refused(refused: ErasureRefused) -> ApiError:
    return not_found(refused.message) if refused.code == "not_found" else conflict(refused.message, refused.code)


@endpoint(bp, "/erasures", "POST", roles=SUPERVISORS, body=ERASURE, status=201, responses=REFUSALS,
          summary="Order the erasure of a closed case's personal data: its key is destroyed, its events stay")
def order_erasure(body: dict[str, Any]) -> Any:
    store = lane_server().store
    case_id = _case_or_404(body["case_id"])

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        try:
            return erasure_event(store, case_id, ORDERED, request["reason"])
        except ErasureRefused as refused:
            raise _refused(refused) from None

    event, created = records.write(body["id"], records.request_fields(body), ERASED, payload)
    if created:
        wipe_freed(store.path)
    return {"event": event}, records.status(created)


@endpoint(bp, "/cases/<case_id>/legal-hold", "POST", roles=SUPERVISORS, body=HOLD, status=201, responses=REFUSALS,
          summary="Set or lift a legal hold on a case: while held, neither an order nor retention erases it")
def legal_hold(case_id: str, body: dict[str, Any]) -> Any:
    store = lane_server().store
    inspection_id = _case_or_404(case_id)

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        try:
            return hold_event(store, inspection_id, request["hold"], request["reason"])
        except ErasureRefused as refused:
            raise _refused(refused) from None

    event, created = records.write(body["id"], records.request_fields(body, case_id=case_id), LEGAL_HOLD, payload)
    return {"event": event}, records.status(created)
