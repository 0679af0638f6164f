"""Supervisors manage the lane's users; every change is an event."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD
from common.roles import ROLES, SUPERVISORS
from common.web.errors import ApiError, bad_request, not_found
from common.web.routing import current_session, endpoint, lane_server, obj

bp = Blueprint("users", __name__, url_prefix="/api/v1")

NEW_USER = obj({"username": {"type": "string", "minLength": 2, "maxLength": 32},
                "role": {"enum": list(ROLES)},
                "password": {"type": "string", "minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}},
               required=("username", "role", "password"))


@endpoint(bp, "/users", "GET", roles=SUPERVISORS, summary="The lane's users (never their passwords)")
def list_users() -> Any:
    return {"users": lane_server().users.list()}


@endpoint(bp, "/users", "POST", roles=SUPERVISORS, body=NEW_USER, status=201, summary="Add a user")
def add_user(body: dict[str, Any]) -> Any:
    from common.accounts.sessions import UserExists

    users = lane_server().users
    try:
        users.add(body["username"], body["role"], body["password"], actor=current_session().username)
    except UserExists:
        raise ApiError(409, "user_exists", f"user {body['username']!r} exists already") from None
    except ValueError as exc:
        raise bad_request(str(exc), "invalid_field") from None
    return {"username": body["username"], "role": body["role"]}


@endpoint(bp, "/users/<username>/disable", "POST", roles=SUPERVISORS,
          summary="Disable a user: their sessions end, they cannot sign in")
def disable_user(username: str) -> Any:
    users = lane_server().users
    if not any(u["username"] == username for u in users.list()):
        raise not_found(f"user {username!r}")
    users.disable(username, actor=current_session().username)
    return {"username": username, "disabled": True}
