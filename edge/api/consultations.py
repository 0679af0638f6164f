"""``GET /api/v1/consultations``: a supervisor reviews who consulted personal
data at this lane, and why (:mod:`edge.consultations`).

The log names people and what was searched for, so reading it is itself a
consultation, logged like any other (its reason, unless one is given, is
the supervisor's audit).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.roles import SUPERVISORS
from common.web.consultation import REVIEW_QUERY, Consultation, review_filters
from common.web.routing import endpoint, lane_server

bp = Blueprint("consultations", __name__, url_prefix="/api/v1")

REVIEWED = Consultation(what="consultation_log", fields=("user", "records", "plates", "query"),
                        implicit=lambda _args, _result: "audit", query=True, records=lambda _args, _result: [])


@endpoint(bp, "/consultations", "GET", roles=SUPERVISORS, query=REVIEW_QUERY, consultation=REVIEWED,
          summary="The consultation log: who viewed or exported personal data, when, what and why, "
                  "newest first (supervisors; reading it is itself logged)")
def list_consultations() -> Any:
    return lane_server().consultations.review(**review_filters())
