"""Reference data down: the hub serves its current reference data to lanes.

``GET /api/v1/sync/<lane>/reference`` (the lane's sync token) answers the
document as that lane receives it — its own declarations and the port-wide
ones (:func:`common.reference.for_lane`) — with ``ETag`` = its version
(:func:`sync.protocol.reference_etag`), or ``304 Not Modified`` when the
lane's ``If-None-Match`` names it already, so a lane polling every 30 s
costs the hub one indexed read and no body. The ETag may stand for each
lane's cut: a version's content is fixed (the hub refuses to reload a
version with other content), and so is every lane's cut of it.
404 ``no_reference`` until ``lanebox hub reference load`` has run.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from flask import Blueprint, Response, request

from common.eventlog.chain import canonical_json
from common.reference import for_lane
from common.web.errors import ApiError
from common.web.routing import endpoint
from sync.hub.receiver import LANE_TOKEN, hub_store
from sync.protocol import reference_etag, reference_path

bp = Blueprint("hub_reference", __name__)


@endpoint(bp, reference_path("<lane>"), "GET", token=LANE_TOKEN,
          summary="The hub's reference data as this lane receives it, with its version as ETag",
          responses={304: "the lane's If-None-Match names the current version already",
                     404: "no_reference: the hub has no reference data loaded yet"})
def get_reference(lane: str) -> Any:
    current = hub_store().reference()
    if current is None:
        raise ApiError(404, "no_reference", "the hub has no reference data loaded yet")
    version, text = current
    return etag_response(reference_etag(version),
                         lambda: canonical_json(for_lane(json.loads(text), lane)).decode())


def etag_response(etag: str, body: Callable[[], str]) -> Response:
    """``body()`` as JSON with ``etag``, or ``304`` when the client holds it
    already (then ``body`` is not called: nothing is built for an unchanged copy)."""
    if request.if_none_match.contains(etag) or request.if_none_match.star_tag:
        response = Response(status=304)
    else:
        response = Response(body(), mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
