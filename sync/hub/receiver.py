"""The hub's end of lane→hub sync: an HTTP blueprint over :class:`HubStore`.

A lane authenticates with its own sync token for its own lane id only, so a
stolen token can never write into another lane's log. The ack is answered
only after the batch is committed, so a lane that sees an ack may forget
nothing but may rely on the hub holding everything up to it. Refusals carry
the current ack too, so the sender knows where to go on from without
another round trip (see :mod:`sync.protocol`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from common.web.errors import ApiError
from common.web.routing import json_body, lane_server, obj
from sync.hub.store import HubStore, InvalidBatch, StoreError, prepare_batch
from sync.protocol import API_PREFIX, HASH_MISMATCH, MAX_BATCH_EVENTS

bp = Blueprint("sync", __name__, url_prefix=API_PREFIX)

EXTENSION = "lanebox_hub"
BATCH_SCHEMA = obj({"events": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH_EVENTS}},
                   required=("events",))


def authenticated_store(lane: str) -> HubStore:
    """The hub store, once the request proved to be from ``lane`` (else 401;
    the same answer for an unknown lane and a wrong token)."""
    store: HubStore = current_app.extensions[EXTENSION]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not store.check_token(lane, token.strip()):
        raise ApiError(401, "unauthorized", f"send lane {lane}'s sync token as "
                                            f"Authorization: Bearer <token>")
    return store


@bp.get("/<lane>/cursor")
def cursor(lane: str) -> Any:
    """The lane's ack: where its next batch starts (ack + 1)."""
    return {"ack": authenticated_store(lane).cursor(lane)}


@bp.post("/<lane>/events")
def receive(lane: str) -> Any:
    """Store a batch of the lane's events; answer the durable ack."""
    store = authenticated_store(lane)
    try:
        batch = prepare_batch(lane, json_body(BATCH_SCHEMA)["events"])
    except InvalidBatch as exc:
        raise ApiError(400, "invalid_event", str(exc)) from None
    try:
        result = store.ingest(lane, batch)
    except StoreError as exc:
        raise ApiError(503, "unavailable", f"the hub could not store the batch: {exc}") from None
    lane_server().ingested(lane, result)  # the projector and the boards hear of it
    counts = {"ack": result.ack, "stored": result.stored, "duplicates": result.duplicates}
    problem = result.problem
    if problem is None:
        return counts
    status = 422 if problem.code == HASH_MISMATCH else 409
    return {"error": {"code": problem.code, "message": problem.message, "seq": problem.seq},
            **counts}, status
