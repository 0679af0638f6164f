"""Reference data as the officer app reads it: what is loaded, and lookups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from common.identifiers import normalise_document_number, normalise_plate
from common.web.errors import ApiError
from common.web.routing import endpoint, lane_server
from drivers.validation.iso6346 import normalise_container_number, parse_container_number
from edge.inspections.risk import RiskFactor, score_risk
from edge.reference import LoadedReference, look_up

bp = Blueprint("reference", __name__, url_prefix="/api/v1")

LOOKUP_KEYS = ("plate", "container", "declaration", "document")


def loaded_reference() -> LoadedReference | None:
    return lane_server().reference.current()


def reference_or_409() -> LoadedReference:
    loaded = loaded_reference()
    if loaded is None:
        raise ApiError(409, "no_reference", "no reference data is loaded on this lane "
                                            "(lanebox reference load)")
    return loaded


@endpoint(bp, "/reference", "GET", summary="The reference data in force: version, counts, checklists, VAT")
def reference_summary() -> Any:
    loaded = loaded_reference()
    if loaded is None:
        return {"version": None, "loaded_at": None, "counts": {}, "checklists": {}, "currency": None,
                "vat_rate": None}
    return loaded.summary()


def _query_value(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > 64:
        raise ApiError(400, "invalid_field", f"{name}: at most 64 characters", field=name)
    return value or None


@endpoint(bp, "/reference/lookup", "GET", summary="Declaration, watchlist hits and risk for a vehicle",
          query={key: {"type": "string", "description": f"the {key} to look up"} for key in LOOKUP_KEYS})
def lookup() -> Any:
    values = {key: _query_value(key) for key in LOOKUP_KEYS}
    if not any(values.values()):
        raise ApiError(400, "invalid_request", f"give at least one of {', '.join(LOOKUP_KEYS)}")
    factors: list[RiskFactor] = []
    try:
        plate = normalise_plate(values["plate"]) if values["plate"] else None
    except ValueError as exc:
        raise ApiError(400, "invalid_field", f"plate: {exc}", field="plate") from None
    try:
        document = normalise_document_number(values["document"]) if values["document"] else None
    except ValueError as exc:
        raise ApiError(400, "invalid_field", f"document: {exc}", field="document") from None
    containers = []
    if values["container"]:
        containers.append(normalise_container_number(values["container"]))
        checked = parse_container_number(values["container"])
        if not checked["valid"]:
            factors.append(RiskFactor("container_invalid", f"container number {checked['text']} is not valid: "
                                                           f"{'; '.join(checked['errors'])}"))
    found = look_up(reference_or_409().data, plate, containers, values["declaration"], document)
    return {"declaration": found.declaration, "watchlist_hits": found.watchlist_hits,
            "risk": score_risk([*found.factors, *factors])}
