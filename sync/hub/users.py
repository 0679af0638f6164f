"""Control-room users of the port hub: accounts, argon2 passwords, bearer sessions.

The hub's users are not a lane's: they sign in to the board, and the roster
is also what lanes receive (:mod:`sync.hub.roster`), so that an officer known
at the hub can sign in at any lane. The rules are :mod:`common.accounts`'
(argon2id with the same parameters, the same throttle, the same tokens and
refusals), so the shared sign-in blueprint (:mod:`common.web.session_api`)
serves the hub as it serves a lane, with hub users behind it.

Storage is through :class:`~sync.hub.store.HubStore`'s ``read`` and
``write`` with portable SQL, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

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
from common.roles import BOARD_ROLES
from sync.hub.store import HubStore

DEFAULT_TTL_S = 12 * 3600


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
        self._signin = SignInCheck(self._account, roles=BOARD_ROLES, clock=clock, hasher=hasher)
        self._passwords = self._signin.passwords

    # -- accounts -------------------------------------------------------------

    def add(self, username: str, role: str, password: str) -> None:
        """Create an account; ``ValueError`` for bad input, :class:`UserExists`."""
        validate_username(username)
        validate_role(role, f" (the board takes {' and '.join(BOARD_ROLES)})")
        validate_password(password)
        password_hash = self._passwords.hash(password)
        now = iso_utc(self._clock())

        def insert(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM hub_users WHERE username = ?", (username,)).fetchone():
                raise UserExists(f"user {username!r} already exists")
            conn.execute("INSERT INTO hub_users (username, role, password_hash, disabled, "
                         "created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
                         (username, role, password_hash, now, now))

        self._store.write(insert)

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
        """Every account: username, role, disabled, created_at (never a hash)."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT username, role, disabled, created_at FROM hub_users "
                                "ORDER BY username").fetchall()
        return [{"username": u, "role": r, "disabled": bool(d), "created_at": c}
                for u, r, d, c in rows]

    def roster(self) -> list[dict[str, Any]]:
        """What lanes receive: username, role, argon2 hash, disabled, updated_at."""
        with self._store.read() as conn:
            rows = conn.execute("SELECT username, role, password_hash, disabled, updated_at "
                                "FROM hub_users ORDER BY username").fetchall()
        return [{"username": u, "role": r, "password_hash": h, "disabled": bool(d),
                 "updated_at": at} for u, r, h, d, at in rows]

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
