"""Usernames, bearer sessions and the refusals both ends answer with.

A session token is 256 random bits; stores keep only its SHA-256, so a
copy of a database does not hand out live sessions, and checking one needs
no argon2.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from common.roles import ROLES

USERNAME_RE = re.compile(r"[a-z0-9._-]{2,32}\Z")
MAX_TOKEN = 256


class UserExists(Exception):
    """A user with that username already exists."""


class UnknownUser(LookupError):
    """No user with that username."""


class AuthFailed(Exception):
    """Wrong username or password, or an account that may not sign in (HTTP 401)."""


class Throttled(Exception):
    """Too many failed sign-ins; try again in ``retry_after`` seconds (HTTP 429)."""

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


def new_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What a store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def plausible_token(token: Any) -> bool:
    """Whether ``token`` is worth looking up at all (a string of sane length)."""
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN


def validate_username(username: Any) -> None:
    """``ValueError`` unless ``username`` is 2-32 of a-z, 0-9, '.', '_', '-'."""
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ValueError("username must be 2-32 chars of a-z, 0-9, '.', '_', '-'")


def validate_role(role: Any, detail: str = "") -> None:
    """``ValueError`` unless ``role`` is one of :data:`~common.roles.ROLES`."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}{detail}")
