"""The port's lane keys at the hub: as each lane last reported them, and signed for lanes and verifiers.

Each lane's status names the keys it signs evidence labels with
(:mod:`sync.hub.lanes`; a lane may report its own keys only). The hub
serves them three ways: ``GET /api/v1/hub/lane-keys`` to a signed-in user,
plain; ``GET /api/v1/sync/<lane>/lane-keys`` to each lane (its sync token),
signed with the hub's key (:mod:`sync.lane_keys`) so the lane can hand the
port's keys to its tablets and believe them only if its hub vouches for
them; and the same signed document at ``GET /api/v1/hub/lane-keys/signed``
to a signed-in user, for a lab or the defence to keep as a file. Both
signed routes answer by ETag (a hash of the document), ``304`` when the
asker holds it already.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint

from common.web.routing import endpoint, lane_server
from sync.hub.identity import current_identity
from sync.hub.receiver import LANE_TOKEN
from sync.hub.reference import etag_response
from sync.labels import LaneKey, parse_keys
from sync.lane_keys import SIGNED_KEYS_PATH, document_etag, lane_keys_path, make_document

bp = Blueprint("hub_lane_keys", __name__)

NOT_MODIFIED = {304: "the If-None-Match names the current document already"}


def port_keys() -> list[LaneKey]:
    """Every registered lane's label keys, as its last status reported them (oldest first per lane)."""
    return parse_keys({"keys": [key for row in lane_server().board.lanes()
                                for key in ((row["status"] or {}).get("label_keys") or [])]})


@endpoint(bp, "/api/v1/hub/lane-keys", "GET",
          summary="The public keys every registered lane signs its evidence labels with, as each lane last "
                  "reported them (what tablets and verifiers check labels against)")
def lane_keys() -> Any:
    return {"hub": lane_server().hub_id, "keys": [key.as_dict() for key in port_keys()]}


def signed_keys() -> Any:
    """The port's keys as the hub's signed document, by ETag."""
    identity = current_identity()
    envelope = make_document(lane_server().hub_id, port_keys(), identity.sign_lane_keys)
    return etag_response(document_etag(envelope["document"]), lambda: json.dumps(envelope))


@endpoint(bp, lane_keys_path("<lane>"), "GET", token=LANE_TOKEN, responses=NOT_MODIFIED,
          summary="The port's lane keys as a document signed by the hub ({document, signature}), with an "
                  "ETag: what the lane gives its tablets to check any lane's labels")
def lane_keys_for_lane(lane: str) -> Any:
    return signed_keys()


@endpoint(bp, SIGNED_KEYS_PATH, "GET", responses=NOT_MODIFIED,
          summary="The port's lane keys as a document signed by the hub ({document, signature}), for "
                  "`lanebox verify-label --keys FILE --hub-key ...`")
def lane_keys_signed() -> Any:
    return signed_keys()
