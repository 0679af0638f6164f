"""The hub's end of lane→hub sync: an HTTP blueprint over :class:`HubStore`.

A lane authenticates with its own sync token for its own lane id only, so a
stolen token can never write into another lane's log. That token is the
:data:`LANE_TOKEN` security scheme of every ``/api/v1/sync/<lane>/`` route
(here and in :mod:`sync.hub.lanes`, :mod:`sync.hub.reference`,
:mod:`sync.hub.roster`), declared with :func:`common.web.routing.endpoint`
so the hub's OpenAPI document lists those routes with the credential they
really take. The ack is answered only after the batch is committed, so a
lane that sees an ack may forget nothing but may rely on the hub holding
everything up to it. Refusals carry the current ack too, so the sender
knows where to go on from without another round trip (docs/sync-protocol.md).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, request

from common.eventlog.store import COLUMNS
from common.web.errors import ApiError
from common.web.routing import TokenScheme, endpoint, lane_server, obj
from sync.hub.keys import KEYS_SCHEMA, take_batch
from sync.hub.store import MAX_TEXT, HubStore, InvalidBatch, StoreError, prepare_batch
from sync.protocol import API_PREFIX, CHECKPOINT_AFTER, HASH_MISMATCH, MAX_BATCH_EVENTS, MAX_BODY_BYTES

log = logging.getLogger(__name__)
bp = Blueprint("sync", __name__, url_prefix=API_PREFIX)

EXTENSION = "lanebox_hub"

# The items are only described, not constrained: prepare_batch checks each
# event and names the first bad one (400 invalid_event), as lanes rely on.
BATCH_SCHEMA = obj({"events": {
    "type": "array", "minItems": 1, "maxItems": MAX_BATCH_EVENTS,
    "items": {"description": (
        f"One event exactly as the lane's log holds it, ascending by seq: an object with exactly "
        f"{', '.join(COLUMNS)}. seq is an integer from 1; lane is the lane of the path; id, type "
        f"and ts are strings of 1-{MAX_TEXT} characters, actor too or null; payload is an object; "
        f"prev_hash and hash are 64 lowercase hex digits, hash matching the event's content.")},
}, "keys": KEYS_SCHEMA, CHECKPOINT_AFTER: {
    "type": "integer", "minimum": 0, "maximum": 2 ** 53,
    "description": "the seq of the newest countersignature of its chain the lane keeps (0: none); the answer "
                   "then carries the hub's newest, checkpoint, when it is newer"}}, required=("events",))


def _checkpoint(lane: str, kept: int | None) -> dict[str, Any]:
    """Countersign the lane's head when due (sync.hub.countersign) and, for a lane that says which
    it keeps, the newest checkpoint if newer. Never the batch's undoing: a failure is logged."""
    try:
        checkpoint = lane_server().countersigner.after_batch(lane)
    except StoreError as exc:
        log.warning("lane %s: the chain head could not be countersigned: %s", lane, exc)
        return {}
    newer = checkpoint is not None and kept is not None and checkpoint["seq"] > kept
    return {"checkpoint": checkpoint} if newer else {}


def hub_store() -> HubStore:
    """The store of the hub serving this request."""
    return current_app.extensions[EXTENSION]


def check_lane_token(lane: str) -> None:
    """401 unless the request carries ``lane``'s sync token (the same answer
    for an unknown lane and a wrong token, so neither can be probed)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not hub_store().check_token(lane, token.strip()):
        raise ApiError(401, "unauthorized", f"send lane {lane}'s sync token as "
                                            f"Authorization: Bearer <token>")


LANE_TOKEN = TokenScheme(
    "laneToken", "A lane's sync token, printed by `lanebox hub add-lane`; it opens that lane's "
                 "own /api/v1/sync/{lane}/ routes and nothing else (not a user session).",
    check_lane_token)


@endpoint(bp, "/<lane>/cursor", "GET", token=LANE_TOKEN,
          summary="The lane's ack: the highest seq up to which the hub holds every event")
def cursor(lane: str) -> Any:
    return {"ack": hub_store().cursor(lane)}


@endpoint(bp, "/<lane>/events", "POST", token=LANE_TOKEN, body=BATCH_SCHEMA, max_body=MAX_BODY_BYTES,
          summary="Store a batch of the lane's events; answers the ack once they are durable",
          responses={409: "gap (resend from ack + 1), conflict or chain_broken; with the ack",
                     422: "hash_mismatch: an event's hash does not match its content; with the ack",
                     503: "the hub could not store the batch; send it again"})
def receive(lane: str, body: dict[str, Any]) -> Any:
    try:
        batch = prepare_batch(lane, body["events"])
    except InvalidBatch as exc:
        raise ApiError(400, "invalid_event", str(exc)) from None
    try:
        result = hub_store().ingest(lane, batch)
    except StoreError as exc:
        raise ApiError(503, "unavailable", f"the hub could not store the batch: {exc}") from None
    stored = [offered.event for offered in batch if offered.event["seq"] <= result.ack]
    try:
        take_batch(hub_store(), lane, stored, body.get("keys", []))  # before the projector reads the events
    except StoreError as exc:
        raise ApiError(503, "unavailable", f"the hub could not store the batch's keys: {exc}") from None
    lane_server().ingested(lane, result)  # the projector and the boards hear of it
    counts = {"ack": result.ack, "stored": result.stored, "duplicates": result.duplicates}
    problem = result.problem
    if problem is None:
        return {**counts, **_checkpoint(lane, body.get(CHECKPOINT_AFTER))}
    status = 422 if problem.code == HASH_MISMATCH else 409
    return {"error": {"code": problem.code, "message": problem.message, "seq": problem.seq},
            **counts}, status
