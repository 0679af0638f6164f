"""The hub's consultation log for review: ``GET /api/v1/hub/consultations``.

A board supervisor reads who consulted personal data at the board (the hub's
own log, :mod:`sync.hub.consultation_log`) or, with ``lane=``, at a lane
(that lane's ``access.consulted`` events as synced), and checks the hub log's
chain. The log names people and what they searched for, so reading it is a
consultation too, logged like the others (its reason, unless given: audit).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from common.config import SITE_ID
from common.roles import SUPERVISORS
from common.web.consultation import REVIEW_QUERY, Consultation, review_filters
from common.web.errors import ApiError
from common.web.routing import endpoint, lane_server

bp = Blueprint("hub_consultations", __name__, url_prefix="/api/v1/hub")

REVIEWED = Consultation(what="consultation_log", fields=("user", "records", "query"),
                        implicit=lambda _args, _result: "audit", query=True, records=lambda _args, _result: [])


@endpoint(bp, "/consultations", "GET", roles=SUPERVISORS, consultation=REVIEWED,
          query={**REVIEW_QUERY, "lane": {"type": "string", "description": "a lane's consultations (as synced) "
                                                                           "instead of the board's"}},
          summary="The consultation log: who consulted or exported personal data at the board (or at a "
                  "lane), when, what and why, newest first (supervisors; reading it is itself logged)")
def list_consultations() -> Any:
    log, filters, lane = lane_server().consultations, review_filters(), request.args.get("lane") or None
    if lane is None:
        return log.review(**filters)
    if not SITE_ID.match(lane):
        raise ApiError(400, "invalid_field", "lane: a lane id (letters, digits and '-')", field="lane")
    return log.lane_entries(lane, **filters)


@endpoint(bp, "/consultations/chain", "GET", roles=SUPERVISORS,
          summary="Verify the board's consultation log: every entry's hash and link, from the first")
def verify_consultations() -> Any:
    return lane_server().consultations.verify()
