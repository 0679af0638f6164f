"""The user roster down: every hub user, for lanes to sign officers in with.

``GET /api/v1/sync/<lane>/roster`` (the lane's sync token) answers
``{"users": [{username, role, password_hash, disabled, updated_at}]}`` with
an ETag that is a hash of the document, and ``304`` when the lane's
``If-None-Match`` names it — a lane polling costs one read and no body.
The hashes are argon2id (:mod:`sync.hub.users`); a password never leaves
the hub, and a stolen lane token reveals only what a lane must hold anyway.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint

from common.web.routing import endpoint, lane_server
from sync.hub.receiver import LANE_TOKEN
from sync.hub.reference import etag_response
from sync.protocol import roster_path

bp = Blueprint("hub_roster", __name__)


@endpoint(bp, roster_path("<lane>"), "GET", token=LANE_TOKEN,
          summary="Every hub user (username, role, password hash, disabled), with an ETag",
          responses={304: "the lane's If-None-Match names the current roster already"})
def get_roster(lane: str) -> Any:
    text = json.dumps({"users": lane_server().users.roster()}, sort_keys=True)
    return etag_response(hashlib.sha256(text.encode()).hexdigest()[:32], lambda: text)
