"""Camera tokens: made once, kept by the lane only as their SHA-256.

A camera token is 256 random bits (:func:`new_token`), not a password, so
SHA-256 is enough to keep it safe at rest: guessing it back from its hash
is as hopeless as guessing the token. A slow hash (argon2, as the users'
passwords get) would only make every push cost the box tens of
milliseconds of CPU — a lever for anyone who can reach the route.
Comparison is in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_DUMMY = hashlib.sha256(b"no camera has this token").hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(presented: str, expected_sha256: str | None) -> bool:
    """Whether ``presented`` is the token whose hash is ``expected_sha256``
    (None: an unknown camera, compared against a dummy so both take as long)."""
    ok = hmac.compare_digest(token_sha256(presented), expected_sha256 or _DUMMY)
    return ok and expected_sha256 is not None
