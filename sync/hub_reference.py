"""Reference data down: the hub serves its current reference data to lanes.

``GET /api/v1/sync/<lane>/reference`` (the lane's sync token) answers the
document with ``ETag`` = its version (:func:`sync.protocol.reference_etag`),
or ``304 Not Modified`` when the lane's ``If-None-Match`` names it already —
so a lane polling every 30 s costs the hub one indexed read and no body.
404 ``no_reference`` until ``lanebox hub reference load`` has run.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from edge.api.errors import ApiError
from sync.protocol import reference_path, reference_etag
from sync.receiver import authenticated_store

bp = Blueprint("hub_reference", __name__)


@bp.get(reference_path("<lane>"))
def get_reference(lane: str) -> Any:
    current = authenticated_store(lane).reference()
    if current is None:
        raise ApiError(404, "no_reference", "the hub has no reference data loaded yet")
    version, text = current
    return etag_response(text, reference_etag(version))


def etag_response(text: str, etag: str) -> Response:
    """``text`` as JSON with ``etag``, or ``304`` when the client holds it already."""
    if request.if_none_match.contains(etag) or request.if_none_match.star_tag:
        response = Response(status=304)
    else:
        response = Response(text, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
