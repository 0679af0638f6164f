"""The user roster down: the hub users scoped to a lane, signed by the hub.

``GET /api/v1/sync/<lane>/roster`` (the lane's sync token) answers
``{"hub", "lane", "users": [{username, role, password_hash, disabled,
updated_at}]}``: only the users whose lane scope includes this lane, each
with the role it has at lanes (:meth:`sync.hub.users.HubUsers.roster`), so
a lane never holds the hash of anyone who has no business there. The body
is signed with the hub's key (``Lanebox-Signature``, :mod:`sync.identity`)
and names the lane it is for, so a lane merges only what its own hub made
for it. The ETag is a hash of the document, and ``304`` answers a lane
whose ``If-None-Match`` names it — a lane polling costs one read and no body.
The hashes are argon2id (:mod:`sync.hub.users`); a password never leaves the hub.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint

from common.web.routing import endpoint, lane_server
from sync.hub.identity import current_identity
from sync.hub.receiver import LANE_TOKEN
from sync.hub.reference import etag_response
from sync.identity import SIGNATURE_HEADER
from sync.protocol import roster_path

bp = Blueprint("hub_roster", __name__)


@endpoint(bp, roster_path("<lane>"), "GET", token=LANE_TOKEN,
          summary="The hub users scoped to this lane (username, lane role, password hash, disabled), "
                  "signed by the hub (Lanebox-Signature), with an ETag",
          responses={304: "the lane's If-None-Match names the current roster already"})
def get_roster(lane: str) -> Any:
    hub = lane_server()
    text = json.dumps({"hub": hub.hub_id, "lane": lane, "users": hub.users.roster(lane)}, sort_keys=True)
    response = etag_response(hashlib.sha256(text.encode()).hexdigest()[:32], lambda: text)
    if response.status_code == 200:
        response.headers[SIGNATURE_HEADER] = current_identity().sign_roster(response.get_data())
    return response
