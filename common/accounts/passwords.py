"""Password hashing: argon2id, with the memory it takes bounded.

argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB per hash).
Hashing runs on the caller's thread, never on a store's writer, and at most
``HASH_SLOTS`` at a time, so that a burst of sign-ins cannot push the box
past its memory budget. A stored hash that cannot be read counts as a
wrong password (logged).
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger(__name__)

HASH_SLOTS = 2
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_HASH = 512


def validate_password(password: Any) -> None:
    """``ValueError`` unless ``password`` is a string of an acceptable length."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters")


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
