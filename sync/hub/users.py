"""Control-room users of the port hub: accounts, argon2 passwords, bearer sessions.

The hub's users are not a lane's: they sign in to the board, and the roster
is also what lanes receive (:mod:`sync.hub.roster`), so that an officer known
at the hub can sign in at the lanes. Each user has a lane scope: the role it
has at lanes (``lane_role``; none: it is sent to no lane) and the lanes it is
sent to (``lanes``; none: every lane). Being a supervisor on the board does
not make anyone a supervisor at a lane: a board user is a lane user only in
the lane role given to it (:meth:`HubUsers.scope`). The rules are :mod:`common.accounts`'
(argon2id with the same parameters, the same throttle, the same tokens and
refusals), so the shared sign-in blueprint (:mod:`common.web.session_api`)
serves the hub as it serves a lane, with hub users behind it.

Storage is through :class:`~sync.hub.store.HubStore`'s ``read`` and
``write`` with portable SQL, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from argon2 import PasswordHasher

from common.accounts.passwords import validate_password
from common.accounts.sessions import (
    Session,
    UnknownUser,
    UserExists,
    new_token,
    plausible_token,
    token_hash,
    validate_role,
    validate_username,
)
from common.accounts.signin import Account, SignInCheck
from common.clock import iso_utc
from common.config import SITE_ID
from common.roles import BOARD_ROLES, ROLES
from sync.hub.signin_throttle import DatabaseBook
from sync.hub.store import HubStore

DEFAULT_TTL_S = 12 * 3600


def default_lane_role(role: str) -> str | None:
    """The lane role a new user gets: officers and technicians are lane users
    in their role; a board user (viewer, supervisor) is at no lane until given one."""
    return None if role in BOARD_ROLES else role


def _check_scope(lane_role: str | None, lanes: list[str] | None) -> None:
    if lane_role is not None and lane_role not in ROLES:
        raise ValueError(f"lane role {lane_role!r} is not one of {', '.join(ROLES)} (or none)")
    if lanes is not None:
        if not lanes:
            raise ValueError("give at least one lane, or every lane")
        for lane in lanes:
            if not isinstance(lane, str) or not SITE_ID.match(lane):
                raise ValueError(f"lane id {lane!r}: letters, digits and '-' only (1-64 chars)")


def _in_scope(lanes_json: str | None, lane: str) -> bool:
    return lanes_json is None or lane in json.loads(lanes_json)


class HubUsers:
    """The hub's accounts and sessions (answering ``authenticate``,
    ``check_token`` and ``logout`` as a lane's users do, for the shared
    sign-in blueprint). ``roles`` are those an account may have:
    the board's two, or every lane role for officers kept on the roster."""

    def __init__(self, store: HubStore, token_ttl_s: int = DEFAULT_TTL_S, *,
                 clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._ttl = token_ttl_s
        self._clock = clock
        self._signin = SignInCheck(self._account, roles=BOARD_ROLES, clock=clock, hasher=hasher,
                                   throttle_book=DatabaseBook(store))
        self._passwords = self._signin.passwords

    # -- accounts -------------------------------------------------------------

    def add(self, username: str, role: str, password: str) -> None:
        """Create an account, in the lane scope :func:`default_lane_role` gives
        its role, at every lane; ``ValueError`` for bad input, :class:`UserExists`."""
        validate_username(username)
        validate_role(role, f" (the board takes {' and '.join(BOARD_ROLES)})")
        validate_password(password, context=(username, role))
        password_hash = self._passwords.hash(password)
        now = iso_utc(self._clock())

        def insert(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM hub_users WHERE username = ?", (username,)).fetchone():
                raise UserExists(f"user {username!r} already exists")
            conn.execute("INSERT INTO hub_users (username, role, password_hash, disabled, "
                         "created_at, updated_at, lane_role, lanes) VALUES (?, ?, ?, 0, ?, ?, ?, NULL)",
                         (username, role, password_hash, now, now, default_lane_role(role)))

        self._store.write(insert)

    def scope(self, username: str, lane_role: str | None, lanes: list[str] | None) -> None:
        """Set where ``username`` counts at the lanes: ``lane_role`` (None: at
        no lane) at ``lanes`` (None: every lane). Lanes follow at their next
        roster pull: a lane the user leaves disables it there.
        ``ValueError`` for a bad role or lane id, :class:`UnknownUser`."""
        _check_scope(lane_role, lanes)
        lanes_json = json.dumps(sorted(set(lanes))) if lanes is not None else None
        now = iso_utc(self._clock())

        def update(conn: Any) -> None:
            if conn.execute("UPDATE hub_users SET lane_role = ?, lanes = ?, updated_at = ? "
                            "WHERE username = ?", (lane_role, lanes_json, now, username)).rowcount == 0:
                raise UnknownUser(f"no user {username!r}")

        self._store.write(update)

    def disable(self, username: str) -> bool:
        """Disable an account and end its sessions; False if it already was."""
        now = iso_utc(self._clock())

        def update(conn: Any) -> bool:
            row = conn.execute("SELECT disabled FROM hub_users WHERE username = ?",
                               (username,)).fetchone()
            if row is None:
                raise UnknownUser(f"no user {username!r}")
            if row[0]:
                return False
            conn.execute("UPDATE hub_users SET disabled = 1, updated_at = ? WHERE username = ?",
                         (now, username))
            conn.execute("DELETE FROM hub_sessions WHERE username = ?", (username,))
            return True

        return self._store.write(update)

    def list(self) -> list[dict[str, Any]]:
        """Every account: username, role, disabled, created_at, and its lane
        scope: lane_role (None: no lane) and lanes (None: every lane). Never a hash."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT username, role, disabled, created_at, lane_role, lanes "
                                "FROM hub_users ORDER BY username").fetchall()
        return [{"username": u, "role": r, "disabled": bool(d), "created_at": c, "lane_role": lr,
                 "lanes": json.loads(lanes) if lanes is not None else None}
                for u, r, d, c, lr, lanes in rows]

    def roster(self, lane: str) -> list[dict[str, Any]]:
        """What ``lane`` receives: the users scoped to it, each with its lane
        role as ``role``, its argon2 hash, disabled and updated_at."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT username, lane_role, password_hash, disabled, updated_at, lanes "
                                "FROM hub_users WHERE lane_role IS NOT NULL ORDER BY username").fetchall()
        return [{"username": u, "role": r, "password_hash": h, "disabled": bool(d), "updated_at": at}
                for u, r, h, d, at, lanes in rows if _in_scope(lanes, lane)]

    # -- sessions -------------------------------------------------------------

    def authenticate(self, username: str, password: str, remote: str) -> Session:
        """Check a password and open a session on the board. Only the board's
        roles may; :class:`Throttled` while backing off, else :class:`AuthFailed`."""
        signed_in = self._signin.check(username, password, remote)
        name, role = signed_in.username, signed_in.role
        now = self._clock()
        token = new_token()
        expires_at = iso_utc(now + self._ttl)

        def insert(conn: Any) -> None:
            conn.execute("DELETE FROM hub_sessions WHERE expires_at <= ?", (iso_utc(now),))
            conn.execute("INSERT INTO hub_sessions (token_hash, username, role, expires_at, "
                         "created_at) VALUES (?, ?, ?, ?, ?)",
                         (token_hash(token), name, role, expires_at, iso_utc(now)))

        self._store.write(insert)
        return Session(token, name, role, expires_at)

    def check_token(self, token: Any) -> Session | None:
        """The live session for a bearer token, or None."""
        if not plausible_token(token):
            return None
        with self._store.read() as conn:
            row = conn.execute(
                "SELECT s.username, s.role, s.expires_at FROM hub_sessions s "
                "JOIN hub_users u ON u.username = s.username "
                "WHERE s.token_hash = ? AND u.disabled = 0 AND s.expires_at > ?",
                (token_hash(token), iso_utc(self._clock()))).fetchone()
        return Session(token, *row) if row else None

    def logout(self, token: str) -> bool:
        """End a session; False if the token was not a live one."""
        key = token_hash(token) if isinstance(token, str) else ""
        return self._store.write(lambda conn: conn.execute(
            "DELETE FROM hub_sessions WHERE token_hash = ?", (key,)).rowcount > 0)

    # -- helpers --------------------------------------------------------------

    def _account(self, name: str) -> Account | None:
        with self._store.read() as conn:
            row = conn.execute("SELECT role, password_hash, disabled FROM hub_users "
                               "WHERE username = ?", (name,)).fetchone()
        return Account(row[0], row[1], bool(row[2])) if row else None
