"""The user roster, as the hub sends it and a lane checks it.

``GET /api/v1/sync/<lane>/roster`` answers ``{"hub", "lane", "users":
[{"username", "role", "password_hash", "disabled", "updated_at"}, ...]}``:
the hub users scoped to that lane, each with its role at lanes and its
argon2id hash, so that an officer registered at the hub signs in at the
lanes without the hub ever handling a lane's sign-in. The body is signed by
the hub (:mod:`sync.identity`); a lane checks the signature, then the whole
document, before it changes anything (:func:`parse_roster`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.accounts.passwords import is_argon2id
from common.accounts.sessions import USERNAME_RE
from common.roles import ROLES


@dataclass(frozen=True)
class RosterUser:
    """One account as the hub's roster gives it."""

    username: str
    role: str
    password_hash: str
    disabled: bool


def parse_roster(document: Any, lane: str | None = None) -> list[RosterUser]:
    """Check the hub's roster ``{"users": [...]}`` whole, before anything is
    merged — with ``lane``, that it was made for that lane; ``ValueError``
    naming the first bad entry and why."""
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, list):
        raise ValueError("not a roster: no list of users")
    if lane is not None and document.get("lane") != lane:
        raise ValueError(f"a roster for lane {document.get('lane')!r}, not for this lane ({lane})")
    roster, seen = [], set()
    for i, entry in enumerate(users):
        where = f"users[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: not an object")
        username, role = entry.get("username"), entry.get("role")
        password_hash, disabled = entry.get("password_hash"), entry.get("disabled")
        if not isinstance(username, str) or not USERNAME_RE.match(username):
            raise ValueError(f"{where}.username: {username!r} is not a valid username")
        if username in seen:
            raise ValueError(f"{where}.username: {username} is listed twice")
        if role not in ROLES:
            raise ValueError(f"{where}.role: {role!r} is not one of {', '.join(ROLES)}")
        if not isinstance(disabled, bool):
            raise ValueError(f"{where}.disabled: must be true or false")
        if not is_argon2id(password_hash):
            raise ValueError(f"{where}.password_hash: not an argon2id hash")
        seen.add(username)
        roster.append(RosterUser(username, role, password_hash, disabled))
    return roster
