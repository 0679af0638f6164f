"""Control-room users of the port hub: accounts, argon2 passwords, bearer sessions.

The hub's users are not a lane's: they sign in to the board, and the roster
is also what lanes receive (:mod:`sync.hub_roster`), so that an officer known
at the hub can sign in at any lane. Everything that makes the lane's
sign-in safe is reused from :mod:`edge.users` rather than copied: argon2id
with the same parameters (hashing off the writer thread, at most
``HASH_SLOTS`` at once), 256-bit tokens kept only as SHA-256, the per-user
and per-address login throttle, and the same exceptions — so the lane's
``POST /api/v1/session`` blueprint (:mod:`edge.api.session`) serves the hub
unchanged.

Storage is through :class:`~sync.hub_store.HubStore`'s write and read
primitives with portable SQL, ready for the PostgreSQL backend.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from argon2 import PasswordHasher

from edge.users import (MAX_LOGIN_FIELD, MAX_PASSWORD, ROLES, USERNAME_RE, AuthFailed, LoginThrottle,
                        PasswordHashing, Session, Throttled, UnknownUser, UserExists, iso_utc, token_hash,
                        validate_password)
from sync.hub_store import HubStore

HUB_ROLES = ("viewer", "supervisor")
"""Who may use the board: viewers see everything, supervisors also acknowledge alarms."""
DEFAULT_TTL_S = 12 * 3600

__all__ = ["HUB_ROLES", "AuthFailed", "HubUsers", "Throttled", "UnknownUser", "UserExists"]


class HubUsers:
    """The hub's accounts and sessions (duck-compatible with
    :class:`edge.users.UserDirectory` where the API uses it: ``authenticate``,
    ``check_token``, ``logout``). ``roles`` are those an account may have:
    the board's two, or every lane role for officers kept on the roster."""

    def __init__(self, store: HubStore, token_ttl_s: int = DEFAULT_TTL_S, *,
                 clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._ttl = token_ttl_s
        self._clock = clock
        self._passwords = PasswordHashing(hasher)
        self._throttle = LoginThrottle()

    # -- accounts -------------------------------------------------------------

    def add(self, username: str, role: str, password: str) -> None:
        """Create an account; ``ValueError`` for bad input, :class:`UserExists`."""
        if not isinstance(username, str) or not USERNAME_RE.match(username):
            raise ValueError("username must be 2-32 chars of a-z, 0-9, '.', '_', '-'")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)} "
                             f"(the board takes {' and '.join(HUB_ROLES)})")
        validate_password(password)
        password_hash = self._passwords.hash(password)
        now = iso_utc(self._clock())

        def insert(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM hub_users WHERE username = ?", (username,)).fetchone():
                raise UserExists(f"user {username!r} already exists")
            conn.execute("INSERT INTO hub_users (username, role, password_hash, disabled, "
                         "created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
                         (username, role, password_hash, now, now))

        self._store._write(insert)

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

        return self._store._write(update)

    def list(self) -> list[dict[str, Any]]:
        """Every account: username, role, disabled, created_at (never a hash)."""
        with self._store._read() as conn:
            rows = conn.execute("SELECT username, role, disabled, created_at FROM hub_users "
                                "ORDER BY username").fetchall()
        return [{"username": u, "role": r, "disabled": bool(d), "created_at": c}
                for u, r, d, c in rows]

    def roster(self) -> list[dict[str, Any]]:
        """What lanes receive: username, role, argon2 hash, disabled, updated_at."""
        with self._store._read() as conn:
            rows = conn.execute("SELECT username, role, password_hash, disabled, updated_at "
                                "FROM hub_users ORDER BY username").fetchall()
        return [{"username": u, "role": r, "password_hash": h, "disabled": bool(d),
                 "updated_at": at} for u, r, h, d, at in rows]

    # -- sessions -------------------------------------------------------------

    def authenticate(self, username: str, password: str, remote: str) -> Session:
        """Check a password and open a session on the board. Only the board's
        roles may; :class:`Throttled` while backing off, else :class:`AuthFailed`."""
        now = self._clock()
        name = username.strip().lower()[:MAX_LOGIN_FIELD] if isinstance(username, str) else ""
        keys = (("user", name), ("remote", str(remote)[:MAX_LOGIN_FIELD]))
        wait = max(self._throttle.retry_after(key, now) for key in keys)
        if wait > 0:
            raise Throttled(wait)
        role = self._check_password(name, password)
        if role is None:
            for key in keys:
                self._throttle.failed(key, now)
            raise AuthFailed("wrong username or password")
        for key in keys:
            self._throttle.succeeded(key)
        token = secrets.token_urlsafe(32)
        expires_at = iso_utc(now + self._ttl)

        def insert(conn: Any) -> None:
            conn.execute("DELETE FROM hub_sessions WHERE expires_at <= ?", (iso_utc(now),))
            conn.execute("INSERT INTO hub_sessions (token_hash, username, role, expires_at, "
                         "created_at) VALUES (?, ?, ?, ?, ?)",
                         (token_hash(token), name, role, expires_at, iso_utc(now)))

        self._store._write(insert)
        return Session(token, name, role, expires_at)

    def check_token(self, token: Any) -> Session | None:
        """The live session for a bearer token, or None."""
        if not isinstance(token, str) or not 0 < len(token) <= 256:
            return None
        with self._store._read() as conn:
            row = conn.execute(
                "SELECT s.username, s.role, s.expires_at FROM hub_sessions s "
                "JOIN hub_users u ON u.username = s.username "
                "WHERE s.token_hash = ? AND u.disabled = 0 AND s.expires_at > ?",
                (token_hash(token), iso_utc(self._clock()))).fetchone()
        return Session(token, *row) if row else None

    def logout(self, token: str) -> bool:
        """End a session; False if the token was not a live one."""
        key = token_hash(token) if isinstance(token, str) else ""
        return self._store._write(lambda conn: conn.execute(
            "DELETE FROM hub_sessions WHERE token_hash = ?", (key,)).rowcount > 0)

    # -- helpers --------------------------------------------------------------

    def _check_password(self, name: str, password: Any) -> str | None:
        """The account's role if the password is right and the account may
        use the board; None otherwise (after the same argon2 work either way)."""
        with self._store._read() as conn:
            row = conn.execute("SELECT role, password_hash, disabled FROM hub_users "
                               "WHERE username = ?", (name,)).fetchone()
        valid = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored_hash = row[1] if row else self._passwords.dummy_hash()
        matches = self._passwords.verify(stored_hash, password if valid else "")
        if row is None or row[2] or not (valid and matches) or row[0] not in HUB_ROLES:
            return None
        return row[0]
