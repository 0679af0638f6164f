"""Users, roles, passwords and bearer sessions of one lane.

Accounts and sessions live in the lane's store file, and every change to them
(and every login, failed or not) is written in the same transaction as its
event, so the log tells who could act as whom and when. Events never carry a
password or a password hash.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's
low-memory profile: 64 MiB per hash). Hashing runs on the caller's thread,
never on the store's writer, and at most ``HASH_SLOTS`` at a time so that a
burst of logins cannot push the box past its memory budget. Tokens are 256
random bits; only their SHA-256 is stored, so a copy of the database does not
hand out live sessions, and checking one needs no argon2.

Failed logins are slowed down per username and per remote address, in
memory: after ``FREE_FAILURES`` consecutive failures each further attempt is
refused unchecked for 1 s, 2 s, 4 s ... up to ``MAX_DELAY_S``.

The port hub's roster (every hub user, with its argon2 hash) is merged in
by :meth:`UserDirectory.merge_roster`, as events by ``hub-roster``, so an
officer registered at the hub signs in at any lane.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Hashable

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlite_utils import Database

from edge.store import EventStore

log = logging.getLogger(__name__)

ROLES = ("officer", "technician", "supervisor", "viewer")
USERNAME_RE = re.compile(r"[a-z0-9._-]{2,32}\Z")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_LOGIN_FIELD = 64
FREE_FAILURES = 3
MAX_DELAY_S = 60.0
TOKEN_CACHE_S = 5.0
TOKEN_CACHE_MAX = 4096
HASH_SLOTS = 2
ROSTER_ACTOR = "hub-roster"
"""The actor of every change the hub's roster makes to a lane's users."""
MAX_HASH = 512

Clock = Callable[[], float]


class UserExists(Exception):
    """A user with that username already exists."""


class UnknownUser(LookupError):
    """No user with that username."""


class AuthFailed(Exception):
    """Wrong username or password, or a disabled account (HTTP 401)."""


class Throttled(Exception):
    """Too many failed logins; try again in ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after:.1f} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    """A bearer token and who it stands for; ``expires_at`` is ISO-8601 UTC."""

    token: str
    username: str
    role: str
    expires_at: str


def iso_utc(epoch_s: float) -> str:
    """Epoch seconds as ISO-8601 UTC with ms; such strings sort as times do."""
    moment = datetime.fromtimestamp(epoch_s, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PasswordHashing:
    """argon2id hashing and checking, at most ``HASH_SLOTS`` at once.

    Shared by the lane's users and the hub's (:mod:`sync.hub_users`), so both
    hash with the same parameters and bound their memory the same way. A
    stored hash that cannot be read counts as a wrong password (logged).
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._slots = threading.BoundedSemaphore(HASH_SLOTS)
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        with self._slots:
            return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        with self._slots:
            try:
                return self.hasher.verify(stored_hash, password)
            except VerifyMismatchError:
                return False
            except (VerificationError, InvalidHashError):
                log.warning("a stored password hash cannot be checked")
                return False

    def dummy_hash(self) -> str:
        """A hash to check unknown usernames against, so they take as long as known ones."""
        if self._dummy is None:
            self._dummy = self.hash(secrets.token_urlsafe(16))
        return self._dummy


class LoginThrottle:
    """Exponential back-off per key after repeated failures, in memory.

    A key that has not failed for ``forget_after_s`` starts afresh, and at
    most ``max_keys`` keys are remembered, so a flood of made-up usernames
    cannot grow memory without bound.
    """

    def __init__(self, free_failures: int = FREE_FAILURES, max_delay_s: float = MAX_DELAY_S,
                 forget_after_s: float = 900.0, max_keys: int = 10_000) -> None:
        self._free = free_failures
        self._max_delay = max_delay_s
        self._forget_after = forget_after_s
        self._max_keys = max_keys
        self._state: OrderedDict[Hashable, tuple[int, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: Hashable, now: float) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            state = self._state.get(key)
            if state is None:
                return 0.0
            _, blocked_until, last_failure = state
            if now - last_failure > self._forget_after:
                del self._state[key]
                return 0.0
            return max(0.0, blocked_until - now)

    def failed(self, key: Hashable, now: float) -> None:
        with self._lock:
            failures = self._state.pop(key, (0, 0.0, 0.0))[0] + 1
            blocked_until = now
            if failures >= self._free:
                blocked_until += min(self._max_delay, 2.0 ** (failures - self._free))
            self._state[key] = (failures, blocked_until, now)
            while len(self._state) > self._max_keys:
                self._state.popitem(last=False)

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            self._state.pop(key, None)


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
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ValueError("username must be 2-32 chars of a-z, 0-9, '.', '_', '-'")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    validate_password(password)


def validate_password(password: Any) -> None:
    """``ValueError`` unless ``password`` is a string of an acceptable length."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters")


@dataclass(frozen=True)
class RosterUser:
    """One account as the hub's roster gives it (``GET .../roster``)."""

    username: str
    role: str
    password_hash: str
    disabled: bool


def parse_roster(document: Any) -> list[RosterUser]:
    """Check the hub's roster ``{"users": [...]}`` whole, before anything is
    merged; ``ValueError`` naming the first bad entry and why."""
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, list):
        raise ValueError("not a roster: no list of users")
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
        if not _is_argon2id(password_hash):
            raise ValueError(f"{where}.password_hash: not an argon2id hash")
        seen.add(username)
        roster.append(RosterUser(username, role, password_hash, disabled))
    return roster


def _is_argon2id(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > MAX_HASH:
        return False
    try:
        return extract_parameters(value).type is Type.ID
    except InvalidHashError:
        return False


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
        self._passwords = PasswordHashing(hasher)
        self._throttle = LoginThrottle()
        self._cache: dict[str, tuple[str, str, str, float]] = {}
        self._cache_lock = threading.Lock()
        self._tables_ready = False
        self._passwords.dummy_hash()  # made now, not at the first sign-in

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
        validate_password(password)
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
        """Make the lane's accounts agree with the hub's roster, in one
        transaction (never half a roster), each change an event by ``actor``.

        A roster user new to the lane is added (unless disabled at the hub);
        a known one takes the roster's role and password and is disabled when
        the hub disabled it — ending its sessions. The roster re-enables only
        an account it disabled itself: one a lane supervisor disabled stays
        disabled. Lane users not on the roster stay as they are. Returns how
        many accounts were added, changed and disabled.
        """
        self._ensure_tables()
        now = iso_utc(self._clock())

        def write(conn: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
            counts = {"added": 0, "changed": 0, "disabled": 0}
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
                changes = self._roster_changes(conn, user, row, actor)
                for event_type, payload, sql, params in changes:
                    conn.execute(sql, params)
                    self._store.append_in(conn, event_type, payload, actor)
                if changes:
                    conn.execute("DELETE FROM sessions WHERE username = ?", (user.username,))
                    touched.append(user.username)
                    counts["disabled" if changes[-1][0] == "user.disabled" else "changed"] += 1
            return counts, touched

        counts, touched = self._store.run_write(write)
        for username in touched:
            self._forget_sessions(username)
        return counts

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
        now = self._clock()
        name = username.strip().lower()[:MAX_LOGIN_FIELD] if isinstance(username, str) else ""
        remote = str(remote)[:MAX_LOGIN_FIELD]
        keys = (("user", name), ("remote", remote))
        wait = max(self._throttle.retry_after(key, now) for key in keys)
        if wait > 0:
            self._login_failed(name, remote, "throttled")
            raise Throttled(wait)
        reason, role, stale_hash = self._check_password(name, password)
        if reason is not None:
            for key in keys:
                self._throttle.failed(key, now)
            self._login_failed(name, remote, reason)
            raise AuthFailed("wrong username or password")
        for key in keys:
            self._throttle.succeeded(key)
        new_hash = self._passwords.hash(password) if stale_hash else None
        token = secrets.token_urlsafe(32)
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
                                  {"username": name, "role": role, "remote": remote}, name)

        self._store.run_write(write)
        return Session(token, name, role, expires_at)

    def check_token(self, token: str) -> Session | None:
        """The live session for a bearer token, or None (unknown, expired,
        logged out, or the user disabled). A hit is cached for
        ``TOKEN_CACHE_S``, so a change made by another process (the CLI)
        shows within that time."""
        if not isinstance(token, str) or not 0 < len(token) <= 256:
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

    def _check_password(self, name: str, password: Any) -> tuple[str | None, str, bool]:
        """(failure reason or None, role, whether the stored hash wants rehashing)."""
        rows = self._store.query("SELECT role, password_hash, disabled FROM users "
                                 "WHERE username = ?", (name,))
        row = rows[0] if rows else None
        valid = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored_hash = row["password_hash"] if row else self._passwords.dummy_hash()
        matches = self._passwords.verify(stored_hash, password if valid else "")
        if row is None:
            return "unknown_user", "", False
        if row["disabled"]:
            return "disabled", row["role"], False
        if not (valid and matches):
            return "bad_password", row["role"], False
        return None, row["role"], self._passwords.hasher.check_needs_rehash(stored_hash)

    def _login_failed(self, name: str, remote: str, reason: str) -> None:
        self._store.append("user.login_failed",
                           {"username": name, "remote": remote, "reason": reason}, None)

    def _evict(self, key: str) -> None:
        with self._cache_lock:
            self._cache.pop(key, None)

    def _forget_sessions(self, username: str) -> None:
        with self._cache_lock:
            for key in [k for k, v in self._cache.items() if v[0] == username]:
                del self._cache[key]
