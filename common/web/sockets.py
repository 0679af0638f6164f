"""Who is on the other end of a Socket.IO connection.

Every namespace that carries more than a badge (the lane's ``/live`` and
``/console``, the hub's ``/board``) admits a client only with a live session:
``auth={"token": ...}`` at connect, checked against the same sessions as the
REST API. A refusal is Socket.IO's ``connect_error`` with a code, never a
silent accept.
"""

from __future__ import annotations

from typing import Any, Callable


def session_of(auth: Any, check_token: Callable[[str], Any], roles: tuple[str, ...] | None = None) -> Any:
    """The session a connection's ``auth={"token": ...}`` names; refuses the
    connection without a live one, or for a role not in ``roles`` (None: any)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    session = check_token(token) if isinstance(token, str) and token else None
    if session is None:
        raise ConnectionRefusedError({"code": "unauthorized", "message": "a valid session token is required"})
    if roles is not None and session.role not in roles:
        raise ConnectionRefusedError({"code": "forbidden", "message": f"the {session.role} role may not"})
    return session
