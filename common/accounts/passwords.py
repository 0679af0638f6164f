"""Passwords: the policy a new one must meet, and argon2id hashing with its memory bounded.

The policy follows NIST SP 800-63B-4 (section 3.1.1.2) for passwords used as
the only factor, as lanebox's sign-in is: at least ``MIN_PASSWORD``
characters, up to ``MAX_PASSWORD`` (the same bound for the CLI, the API and
sign-in), no composition rules, and a check against a blocklist of breached
and common passwords, dictionary words, names, repeats, sequences and
keyboard walks, and the words of the context (the username, the role,
"lanebox"). The blocklist is zxcvbn's: its 30,000 most common breached
passwords and its word lists ship with the package, and its matcher finds
them inside longer passwords too ("passwordpassword1"), so nothing is
looked up over the network.

Hashing: argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB per
hash). Hashing runs on the caller's thread, never on a store's writer, and
at most ``HASH_SLOTS`` at a time, so that a burst of sign-ins cannot push
the box past its memory budget. A stored hash that cannot be read counts as
a wrong password (logged).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

log = logging.getLogger(__name__)

HASH_SLOTS = 2
MIN_PASSWORD = 15
"""SP 800-63B-4: at least 15 characters for a password that is the only factor."""
MAX_PASSWORD = 256
"""SP 800-63B-4 asks for at least 64; one bound for every way a password comes in."""
MAX_HASH = 512
MIN_GUESS_SCORE = 3
"""zxcvbn's score (0-4) below which a password counts as blocklisted: 3 is
"safely unguessable" (about 10^8 guesses or more) for a throttled sign-in."""
_JUDGED_CHARACTERS = 72
"""zxcvbn refuses longer input (its matching is superlinear); a password whose
first 72 characters are not guessable is not guessable."""
_JUDGE_LOCK = threading.Lock()
"""zxcvbn keeps the context words of a call in a module-level dictionary."""


def validate_password(password: Any, context: Iterable[str] = ()) -> None:
    """``ValueError`` saying why, unless ``password`` may be set as a new password.

    ``context`` are words an attacker would try first for this account (its
    username, its role); "lanebox" is always one of them.
    """
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters "
                         "(a few unrelated words make a good one)")
    with _JUDGE_LOCK:
        verdict = zxcvbn(password[:_JUDGED_CHARACTERS], user_inputs=["lanebox", *context])
    if verdict["score"] < MIN_GUESS_SCORE:
        why = verdict["feedback"]["warning"] or "it is made of common words, names or patterns"
        raise ValueError(f"password is too easy to guess: {why.rstrip('.')}. "
                         "Choose a few unrelated words instead")


def is_argon2id(value: Any) -> bool:
    """Whether ``value`` is an argon2id hash string (what a roster may carry)."""
    if not isinstance(value, str) or len(value) > MAX_HASH:
        return False
    try:
        return extract_parameters(value).type is Type.ID
    except InvalidHashError:
        return False


class PasswordHashing:
    """argon2id hashing and checking, at most ``HASH_SLOTS`` at once."""

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

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether ``stored_hash`` was made with other parameters than today's."""
        return self.hasher.check_needs_rehash(stored_hash)

    def dummy_hash(self) -> str:
        """A hash to check unknown usernames against, so they take as long as known ones."""
        if self._dummy is None:
            self._dummy = self.hash(secrets.token_urlsafe(16))
        return self._dummy
