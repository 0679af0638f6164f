"""The witness who countersigns a custody step, proved by their own session.

The witness signs in on the acting officer's tablet — their badge scanned or
their username typed, and their password — standing at the bag; the tablet
sends the custody step with the witness's session token in the
``X-Witness-Token`` header and signs that session out at once. The box takes
the witness from the token, never from a name in the body: one officer with
one tablet cannot name a colleague without that colleague's password. The
token is never stored (a header, not the body the event keeps); the event
records who witnessed, and the witness's sign-in is an event of its own.
"""

from __future__ import annotations

from flask import request

from common.web.errors import conflict
from edge.users import UserDirectory

HEADER = "X-Witness-Token"


def presented_token() -> str | None:
    """The witness's session token the request carries, if any (read in the request, checked in the write)."""
    token = request.headers.get(HEADER)
    return None if token is None else token.strip()


def witness_of(users: UserDirectory, token: str | None) -> dict[str, str] | None:
    """``{"username", "role"}`` of the witness whose live session ``token`` is, None without a token;
    409 ``witness_not_signed_in`` for a token that is not a live session of an enabled account
    (expired, signed out, made up). Checked only for a step not yet recorded: a replay of a recorded
    step is answered whatever became of the witness's session since."""
    if token is None:
        return None
    session = users.check_token(token)
    if session is None:
        raise conflict("the witness's sign-in has ended or is not valid: the witness signs in again",
                       "witness_not_signed_in")
    return {"username": session.username, "role": session.role}
