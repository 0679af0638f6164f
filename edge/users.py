"""The lane's users and their bearer sessions.

Accounts and sessions live in the lane's store file, and every change to them
(and every sign-in) is written in the same transaction as its event, so the
log tells who could act as whom and when. Refused sign-ins, which anyone can
make without a token, are tallied instead and written as one
``user.login_failures`` event per window (:mod:`common.accounts.failures`). Events never carry a
password or a password hash. The rules (argon2id, throttling, tokens) are
:mod:`common.accounts`', shared with the hub.

The port hub's roster (the hub users scoped to this lane, with their argon2
hashes) is merged in by :meth:`UserDirectory.merge_roster`, as events by
``hub-roster``, so an officer registered at the hub signs in at the lane.
The roster governs only the accounts it made: a lane's own account (made
with ``lanebox users add`` or by a lane supervisor) is never taken over by a
hub user of the same name.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any, Callable

from argon2 import PasswordHasher
from sqlite_utils import Database

from common.accounts.failures import FailedSignInLog, FailedSignIns
from common.accounts.passwords import validate_password
from common.accounts.sessions import (
    AuthFailed,
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
from common.eventlog.store import EventStore
from sync.roster import RosterUser

log = logging.getLogger(__name__)

TOKEN_CACHE_S = 5.0
TOKEN_CACHE_MAX = 4096
ROSTER_ACTOR = "hub-roster"
"""The actor of every change the hub's roster makes to a lane's users."""

Clock = Callable[[], float]


def _create_tables(conn: sqlite3.Connection) -> None:
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    db["users"].create({"username": str, "role": str, "password_hash": str, "disabled": int,
                        "created_at": str},
                       pk="username", not_null=["role", "password_hash", "disabled", "created_at"],
                       if_not_exists=True)
    db["sessions"].create({"token_hash": str, "username": str, "role": str, "expires_at": str,
                           "created_at": str},
                          pk="token_hash", not_null=["username", "role", "expires_at",
                                                     "created_at"], if_not_exists=True)
    db["sessions"].create_index(["username"], if_not_exists=True)
    db["sessions"].create_index(["expires_at"], if_not_exists=True)


def _validate(username: Any, role: Any, password: Any) -> None:
    validate_username(username)
    validate_role(role)
    validate_password(password, context=(username, role))


def _roster_made(conn: sqlite3.Connection, actor: str) -> set[str]:
    """The accounts ``actor`` (the roster) made: those whose ``user.added`` is by it."""
    rows = conn.execute("SELECT json_extract(payload, '$.username') FROM events "
                        "WHERE type = 'user.added' AND actor IS ?", (actor,)).fetchall()
    return {row[0] for row in rows}


def _refusals_recorded(conn: sqlite3.Connection) -> set[str]:
    """The usernames whose roster entry was refused once already (recorded once, not at each pull)."""
    rows = conn.execute("SELECT json_extract(payload, '$.username') FROM events "
                        "WHERE type = 'user.roster_refused'").fetchall()
    return {row[0] for row in rows}


def _disabled_by(conn: sqlite3.Connection, username: str) -> str | None:
    """Who disabled ``username`` last (the actor of its latest ``user.disabled``)."""
    row = conn.execute("SELECT actor FROM events WHERE type = 'user.disabled' "
                       "AND json_extract(payload, '$.username') = ? ORDER BY seq DESC LIMIT 1",
                       (username,)).fetchone()
    return row[0] if row else None


class UserDirectory:
    """The lane's accounts and sessions, kept in ``store``'s file.

    May be made before the store is started: its tables are created on first
    use. ``clock`` (epoch seconds) and ``hasher`` are injectable so tests can
    move time and use cheap argon2 parameters.
    """

    def __init__(self, store: EventStore, token_ttl_s: int = 12 * 3600, *,
                 clock: Clock = time.time, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._ttl = token_ttl_s
        self._clock = clock
        self._signin = SignInCheck(self._account, refused=self._login_failed, rehash=True, clock=clock,
                                   hasher=hasher)
        self._passwords = self._signin.passwords
        self.failed_sign_ins = FailedSignIns(clock)
        self._failure_log = FailedSignInLog(self.failed_sign_ins, self._write_failures)
        self._cache: dict[str, tuple[str, str, str, float]] = {}
        self._cache_lock = threading.Lock()
        self._tables_ready = False

    def start(self) -> None:
        """Start writing the refused sign-ins' tally every few minutes (a running lane)."""
        self._failure_log.start()

    def stop(self) -> None:
        """Stop, writing what was tallied since the last window; before the store closes."""
        self._failure_log.stop()

    # -- accounts -------------------------------------------------------------

    def add(self, username: str, role: str, password: str, actor: str | None = None) -> None:
        """Create an account. ``ValueError`` for bad input, :class:`UserExists`."""
        _validate(username, role, password)
        self._ensure_tables()
        password_hash = self._passwords.hash(password)
        created_at = iso_utc(self._clock())

        def write(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UserExists(f"user {username!r} already exists")
            conn.execute("INSERT INTO users (username, role, password_hash, disabled, created_at)"
                         " VALUES (?, ?, ?, 0, ?)", (username, role, password_hash, created_at))
            self._store.append_in(conn, "user.added", {"username": username, "role": role},
                                  actor)

        self._store.run_write(write)

    def list(self) -> list[dict[str, Any]]:
        """Every account: username, role, disabled, created_at (never a hash)."""
        self._ensure_tables()
        rows = self._store.query("SELECT username, role, disabled, created_at FROM users "
                                 "ORDER BY username")
        return [{**row, "disabled": bool(row["disabled"])} for row in rows]

    def enabled_usernames(self) -> set[str]:
        """The usernames that may sign in now (a badge scan names one of these)."""
        return {user["username"] for user in self.list() if not user["disabled"]}

    def disable(self, username: str, actor: str | None) -> bool:
        """Disable an account and end its sessions; False if it already was.
        Raises :class:`UnknownUser`."""

        def write(conn: sqlite3.Connection) -> bool:
            if self._disabled(conn, username):
                return False
            conn.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
            self._store.append_in(conn, "user.disabled", {"username": username}, actor)
            return True

        self._ensure_tables()
        changed = self._store.run_write(write)
        self._forget_sessions(username)
        return changed

    def set_password(self, username: str, password: str, actor: str | None) -> None:
        """Replace a password and end the account's sessions. Raises
        ``ValueError`` for a bad password, :class:`UnknownUser`."""
        validate_password(password, context=(username,))
        self._ensure_tables()
        password_hash = self._passwords.hash(password)

        def write(conn: sqlite3.Connection) -> None:
            self._disabled(conn, username)
            conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                         (password_hash, username))
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
            self._store.append_in(conn, "user.password_changed", {"username": username}, actor)

        self._store.run_write(write)
        self._forget_sessions(username)

    def merge_roster(self, roster: list[RosterUser], actor: str = ROSTER_ACTOR) -> dict[str, int]:
        """Make the accounts the roster made agree with the hub's roster, in
        one transaction (never half a roster), each change an event by ``actor``.

        A roster user new to the lane is added (unless disabled at the hub);
        one the roster added before takes the roster's role and password and
        is disabled when the hub disabled it — ending its sessions. One the
        roster added that it no longer lists (taken out of this lane's scope
        at the hub) is disabled too. The roster re-enables only an account it
        disabled itself: one a lane supervisor disabled stays disabled. A lane
        account of the roster user's name that the roster did not make is
        kept as it is and that entry refused: one ``user.roster_refused``
        event tells the technician. Returns how many accounts were added,
        changed and disabled, and how many entries were refused.
        """
        self._ensure_tables()
        now = iso_utc(self._clock())

        def write(conn: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
            counts = {"added": 0, "changed": 0, "disabled": 0, "refused": 0}
            made, recorded = _roster_made(conn, actor), _refusals_recorded(conn)
            touched = []
            for user in roster:
                row = conn.execute("SELECT role, password_hash, disabled FROM users WHERE username = ?",
                                   (user.username,)).fetchone()
                if row is None:
                    if not user.disabled:
                        conn.execute("INSERT INTO users (username, role, password_hash, disabled, created_at)"
                                     " VALUES (?, ?, ?, 0, ?)", (user.username, user.role, user.password_hash, now))
                        self._store.append_in(conn, "user.added", {"username": user.username, "role": user.role},
                                              actor)
                        counts["added"] += 1
                    continue
                if user.username not in made:
                    counts["refused"] += 1
                    if user.username not in recorded:
                        self._store.append_in(conn, "user.roster_refused", {
                            "username": user.username,
                            "reason": "a lane account of this name exists: the lane keeps its own"}, actor)
                    continue
                changes = self._roster_changes(conn, user, row, actor)
                if self._apply(conn, user.username, changes, actor):
                    touched.append(user.username)
                    counts["disabled" if changes[-1][0] == "user.disabled" else "changed"] += 1
            for name in sorted(made - {user.username for user in roster}):
                if not self._disabled(conn, name) and self._apply(conn, name, [
                        ("user.disabled", {"username": name}, "UPDATE users SET disabled = 1 WHERE username = ?",
                         (name,))], actor):
                    touched.append(name)
                    counts["disabled"] += 1
            return counts, touched

        counts, touched = self._store.run_write(write)
        for username in touched:
            self._forget_sessions(username)
        return counts

    def _apply(self, conn: sqlite3.Connection, username: str,
               changes: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]], actor: str) -> bool:
        """Make ``changes`` to an account, each with its event; its sessions end. False if none."""
        for event_type, payload, sql, params in changes:
            conn.execute(sql, params)
            self._store.append_in(conn, event_type, payload, actor)
        if changes:
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return bool(changes)

    @staticmethod
    def _roster_changes(conn: sqlite3.Connection, user: RosterUser, row: tuple[str, str, int],
                        actor: str) -> list[tuple[str, dict[str, Any], str, tuple[Any, ...]]]:
        """What merging ``user`` changes in the account ``row``: (event type,
        payload, SQL, parameters), the disabling last."""
        role, password_hash, disabled = row
        name = user.username
        changes: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]] = []
        if role != user.role:
            changes.append(("user.role_changed", {"username": name, "role": user.role, "was": role},
                            "UPDATE users SET role = ? WHERE username = ?", (user.role, name)))
        if password_hash != user.password_hash:
            changes.append(("user.password_changed", {"username": name},
                            "UPDATE users SET password_hash = ? WHERE username = ?", (user.password_hash, name)))
        if not disabled and user.disabled:
            changes.append(("user.disabled", {"username": name},
                            "UPDATE users SET disabled = 1 WHERE username = ?", (name,)))
        elif disabled and not user.disabled and _disabled_by(conn, name) == actor:
            changes.append(("user.enabled", {"username": name},
                            "UPDATE users SET disabled = 0 WHERE username = ?", (name,)))
        return changes

    @staticmethod
    def _disabled(conn: sqlite3.Connection, username: str) -> bool:
        """Whether the account is disabled; :class:`UnknownUser` if there is none."""
        row = conn.execute("SELECT disabled FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise UnknownUser(f"no user {username!r}")
        return bool(row[0])

    # -- sessions -------------------------------------------------------------

    def authenticate(self, username: str, password: str, remote: str) -> Session:
        """Check a password and open a session.

        Raises :class:`Throttled` (without checking the password) while the
        username or the remote address is backing off, :class:`AuthFailed`
        otherwise. Every outcome is an event.
        """
        self._ensure_tables()
        signed_in = self._signin.check(username, password, remote)
        name, role, new_hash = signed_in.username, signed_in.role, signed_in.rehash
        now = self._clock()
        token = new_token()
        expires_at = iso_utc(now + self._ttl)

        def write(conn: sqlite3.Connection) -> None:
            if self._disabled(conn, name):
                raise AuthFailed("wrong username or password")
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (iso_utc(now),))
            conn.execute("INSERT INTO sessions (token_hash, username, role, expires_at, "
                         "created_at) VALUES (?, ?, ?, ?, ?)",
                         (token_hash(token), name, role, expires_at, iso_utc(now)))
            if new_hash:
                conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                             (new_hash, name))
            self._store.append_in(conn, "user.login",
                                  {"username": name, "role": role, "remote": signed_in.remote}, name)

        self._store.run_write(write)
        return Session(token, name, role, expires_at)

    def check_token(self, token: str) -> Session | None:
        """The live session for a bearer token, or None (unknown, expired,
        logged out, or the user disabled). A hit is cached for
        ``TOKEN_CACHE_S``, so a change made by another process (the CLI)
        shows within that time."""
        if not plausible_token(token):
            return None
        self._ensure_tables()
        key = token_hash(token)
        now = self._clock()
        with self._cache_lock:
            hit = self._cache.get(key)
        if hit is None or now - hit[3] >= TOKEN_CACHE_S:
            rows = self._store.query(
                "SELECT s.username, s.role, s.expires_at FROM sessions s "
                "JOIN users u ON u.username = s.username "
                "WHERE s.token_hash = ? AND u.disabled = 0", (key,))
            if not rows:
                self._evict(key)
                return None
            hit = (rows[0]["username"], rows[0]["role"], rows[0]["expires_at"], now)
            with self._cache_lock:
                if len(self._cache) >= TOKEN_CACHE_MAX:
                    self._cache.clear()
                self._cache[key] = hit
        username, role, expires_at, _ = hit
        if expires_at <= iso_utc(now):
            self._evict(key)
            return None
        return Session(token, username, role, expires_at)

    def logout(self, token: str) -> bool:
        """End a session; False if the token was not a live one."""
        if not isinstance(token, str):
            return False
        self._ensure_tables()
        key = token_hash(token)

        def write(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT username FROM sessions WHERE token_hash = ?",
                               (key,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
            self._store.append_in(conn, "user.logout", {"username": row[0]}, row[0])
            return True

        ended = self._store.run_write(write)
        self._evict(key)
        return ended

    # -- helpers --------------------------------------------------------------

    def _ensure_tables(self) -> None:
        if not self._tables_ready:  # idempotent, so a race only costs a second no-op write
            self._store.run_write(_create_tables)
            self._tables_ready = True

    def _account(self, name: str) -> Account | None:
        rows = self._store.query("SELECT role, password_hash, disabled FROM users WHERE username = ?", (name,))
        return Account(rows[0]["role"], rows[0]["password_hash"], bool(rows[0]["disabled"])) if rows else None

    def _login_failed(self, name: str, remote: str, reason: str) -> None:
        self.failed_sign_ins.record(name, remote, reason)

    def _write_failures(self, summary: dict[str, Any]) -> None:
        self._store.append("user.login_failures", summary, None)

    def _evict(self, key: str) -> None:
        with self._cache_lock:
            self._cache.pop(key, None)

    def _forget_sessions(self, username: str) -> None:
        with self._cache_lock:
            for key in [k for k, v in self._cache.items() if v[0] == username]:
                del self._cache[key]
