"""Signing in with a scanned badge: ``POST /api/v1/session/badge`` takes the
one-time code ``/badge`` sent for the scan (:mod:`edge.realtime.badge`) and
the password, and answers exactly as ``POST /api/v1/session`` does for the
badge's user — the same throttle, the same events, the same refusals. The
code is spent by the attempt, right or wrong."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.web import session_api
from common.web.errors import ApiError
from common.web.routing import PUBLIC, endpoint, lane_server, obj

bp = Blueprint("badge_session", __name__, url_prefix="/api/v1")

BADGE_LOGIN = obj({"badge": {"type": "string", "minLength": 1, "maxLength": 64},
                   "password": {"type": "string", "minLength": 1, "maxLength": 256}},
                  required=("badge", "password"))


@endpoint(bp, "/session/badge", "POST", roles=PUBLIC, body=BADGE_LOGIN,
          summary="Sign in with a scanned badge's one-time code (from /badge) and the password",
          responses={401: "wrong password, or the badge code is unknown, used or expired (scan again)",
                     429: "too many failed sign-ins; with Retry-After"})
def sign_in_with_badge(body: dict[str, Any]) -> Any:
    username = lane_server().badges.redeem(body["badge"])
    if username is None:
        raise ApiError(401, "badge_expired", "that badge scan has expired or was used; scan it again "
                                             "or type your username")
    return session_api.sign_in.__wrapped__(body={"username": username, "password": body["password"]})
