"""The steps of every sign-in, at a lane or at the hub.

Throttle first (a backing-off username or address is refused without
checking anything), then one argon2 check whether or not the account
exists (an unknown username takes as long as a known one), then the
verdict. What a store does around it (open a session, record an event)
is the caller's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from argon2 import PasswordHasher

from common.accounts.passwords import MAX_PASSWORD, PasswordHashing
from common.accounts.sessions import AuthFailed, Throttled
from common.accounts.throttle import LoginThrottle, ThrottleBook

MAX_LOGIN_FIELD = 64
"""Usernames and remote addresses are cut to this length before anything is kept of them."""

UNKNOWN_USER, DISABLED, BAD_PASSWORD, NOT_ALLOWED, THROTTLED = (
    "unknown_user", "disabled", "bad_password", "not_allowed", "throttled")
"""Why a sign-in was refused (the lane records it; the answer is always the same 401)."""


@dataclass(frozen=True)
class Account:
    """What a sign-in needs of a stored account."""

    role: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class SignedIn:
    """A sign-in that passed: who, from where, with which role, and a fresh
    hash when the stored one was made with older parameters (else None)."""

    username: str
    remote: str
    role: str
    rehash: str | None


Refused = Callable[[str, str, str], None]
"""Told (username, remote, reason) of every refused sign-in."""


def login_name(username: Any) -> str:
    """The username as accounts are looked up by: trimmed, lower case, bounded."""
    return username.strip().lower()[:MAX_LOGIN_FIELD] if isinstance(username, str) else ""


class SignInCheck:
    """Checks sign-ins against accounts found by ``find(username)``.

    ``roles`` are those that may sign in here (None: any); ``refused`` hears
    of every refusal; ``rehash`` asks for a new hash of a password whose
    stored hash is out of date; ``throttle_book`` is where failures are
    counted (None: this process's memory). ``clock`` (epoch seconds) and
    ``hasher`` are injectable for tests.
    """

    def __init__(self, find: Callable[[str], Account | None], *, roles: tuple[str, ...] | None = None,
                 refused: Refused | None = None, rehash: bool = False, clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None, throttle_book: ThrottleBook | None = None) -> None:
        self._find = find
        self._roles = roles
        self._refused = refused or (lambda *_: None)
        self._rehash = rehash
        self.clock = clock
        self.passwords = PasswordHashing(hasher)
        self.throttle = LoginThrottle(throttle_book)
        self.passwords.dummy_hash()  # made now, not at the first sign-in

    def check(self, username: Any, password: Any, remote: Any) -> SignedIn:
        """:class:`SignedIn`, or :class:`Throttled` (nothing checked) while
        this username, this address or the pair is backing off
        (common.accounts.throttle), else :class:`AuthFailed`."""
        now = self.clock()
        name, address = login_name(username), str(remote)[:MAX_LOGIN_FIELD]
        wait = self.throttle.retry_after(name, address, now)
        if wait > 0:
            self._refused(name, address, THROTTLED)
            raise Throttled(wait)
        account = self._find(name)
        reason = self._refusal(account, password)
        if reason is not None:
            # the back-off runs from the answer, not the question: the hash's own time (a third of a
            # second on a busy box) must not eat into the wait
            self.throttle.failed(name, address, self.clock())
            self._refused(name, address, reason)
            raise AuthFailed("wrong username or password")
        assert account is not None
        self.throttle.succeeded(name, address)
        stale = self._rehash and self.passwords.needs_rehash(account.password_hash)
        return SignedIn(name, address, account.role, self.passwords.hash(password) if stale else None)

    def _refusal(self, account: Account | None, password: Any) -> str | None:
        """Why this account may not sign in with ``password`` (None: it may),
        after the same argon2 work whatever the answer."""
        valid = isinstance(password, str) and len(password) <= MAX_PASSWORD
        stored_hash = account.password_hash if account else self.passwords.dummy_hash()
        matches = self.passwords.verify(stored_hash, password if valid else "")
        if account is None:
            return UNKNOWN_USER
        if account.disabled:
            return DISABLED
        if not (valid and matches):
            return BAD_PASSWORD
        if self._roles is not None and account.role not in self._roles:
            return NOT_ALLOWED
        return None
