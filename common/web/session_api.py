"""Signing in and out: ``POST /api/v1/session`` trades a password for an
expiring bearer token; repeated failures are slowed down (429)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from common.accounts.passwords import MAX_PASSWORD
from common.web.errors import ApiError
from common.web.routing import PUBLIC, current_session, endpoint, lane_server, obj

bp = Blueprint("session", __name__, url_prefix="/api/v1")

LOGIN = obj({"username": {"type": "string", "minLength": 1, "maxLength": 64},
             "password": {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD}},
            required=("username", "password"))


def _session_json(session: Any) -> dict[str, Any]:
    return {"username": session.username, "role": session.role, "expires_at": session.expires_at}


@endpoint(bp, "/session", "POST", summary="Sign in: returns a bearer token and the role", roles=PUBLIC, body=LOGIN)
def sign_in(body: dict[str, Any]) -> Any:
    from common.accounts.sessions import AuthFailed, Throttled

    users = lane_server().users
    try:
        session = users.authenticate(body["username"], body["password"], request.remote_addr or "unknown")
    except Throttled as exc:
        wait = max(1, round(exc.retry_after))
        error = ApiError(429, "too_many_attempts", f"too many failed sign-ins; try again in {wait} s",
                         retry_after=wait)
        response, status = error.response()
        response.headers["Retry-After"] = str(wait)
        return response, status
    except AuthFailed:
        raise ApiError(401, "unauthorized", "wrong username or password") from None
    return {"token": session.token, **_session_json(session)}


@endpoint(bp, "/session", "GET", summary="Who is signed in with this token")
def whoami() -> Any:
    return _session_json(current_session())


@endpoint(bp, "/session", "DELETE", summary="Sign out: the token stops working")
def sign_out() -> Any:
    lane_server().users.logout(current_session().token)
    return {"ok": True}
