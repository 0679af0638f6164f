"""Duty and VAT: quote without a trace, assess on an inspection, print a receipt."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from common.clock import utc_now_iso
from common.roles import RECORD_WRITERS
from common.web.errors import ApiError, not_found
from common.web.routing import endpoint, lane_server, obj
from edge import consultations as consulted
from edge.api import records
from edge.api.inspections import find_inspection, open_inspection
from edge.api.records import WRITE_FIELDS
from edge.inspections.duty import DutyError, quote
from edge.reference import ReferenceCache
from edge.reports.duty import duty_receipt

bp = Blueprint("duty", __name__, url_prefix="/api/v1")

AMOUNT = {"type": "number", "minimum": 0, "maximum": 1e12}
QUOTE_FIELDS = {"hs_code": {"type": "string", "pattern": "^[0-9]{4,10}$"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "value": AMOUNT, "fob": AMOUNT, "freight": AMOUNT, "insurance": AMOUNT,
                "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e12}}
QUOTE = obj(QUOTE_FIELDS, required=("hs_code", "currency"))
ASSESS = obj({**WRITE_FIELDS, **QUOTE_FIELDS}, required=("id", "hs_code", "currency"))
EVENT_TYPE = "inspection.duty_assessed"


def _quote(request: dict[str, Any], cache: ReferenceCache) -> dict[str, Any]:
    loaded = cache.current()
    if loaded is None:
        raise ApiError(409, "no_reference", "no reference data is loaded: no tariff to assess against")
    try:
        return quote({k: v for k, v in request.items() if k in QUOTE_FIELDS}, loaded.data)
    except DutyError as exc:
        raise ApiError(400, exc.code, f"{exc.field}: {exc}", field=exc.field) from None


@endpoint(bp, "/duty/quote", "POST", body=QUOTE, summary="What duty and VAT would be (nothing is recorded)")
def duty_quote(body: dict[str, Any]) -> Any:
    return _quote(body, lane_server().reference)


@endpoint(bp, "/inspections/<inspection_id>/duty", "POST", roles=RECORD_WRITERS, body=ASSESS, status=201,
          summary="Assess duty and VAT on an open inspection (an event)")
def assess_duty(inspection_id: str, body: dict[str, Any]) -> Any:
    server = lane_server()
    inspection_id = inspection_id.lower()

    def payload(request: dict[str, Any]) -> dict[str, Any]:
        open_inspection(server.store, inspection_id)
        return {"inspection_id": inspection_id, "assessment": _quote(request, server.reference)}

    event, created = records.write(body["id"], records.request_fields(body, inspection_id=inspection_id),
                                   EVENT_TYPE, payload)
    return {"assessment": event["payload"]["assessment"], "event_id": event["id"]}, records.status(created)


@endpoint(bp, "/duty/<event_id>/receipt.pdf", "GET", summary="A printable receipt of a duty assessment (PDF)",
          consultation=consulted.DRIVER_COPY)
def receipt(event_id: str) -> Any:
    server = lane_server()
    event = server.store.get(event_id)
    if event is None or event["type"] != EVENT_TYPE:
        raise not_found(f"duty assessment {event_id!r}")
    pdf = duty_receipt(lane={"id": server.config.lane_id, "name": server.config.lane_name}, event=event,
                       inspection=find_inspection(server.store, event["payload"]["inspection_id"]),
                       generated_at=utc_now_iso())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="duty-{event["id"]}.pdf"'})
