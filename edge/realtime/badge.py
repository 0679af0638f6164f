"""``/badge``: a badge scanned on the lane's reader stands in for the username
at the sign-in screen — without telling anyone whose badge it was.

The sign-in screen has no token yet, so it cannot join ``/live``; and
``/live`` must not be open to anyone on the lane network (it carries
passports). This namespace is open to any page of the lane, and so to
anyone on the lane network; what it carries must be worth nothing to them.
It once carried the username of every badge scanned: who is on duty at
which lane, and half of each one's credentials, to any listener.

Now a scan whose text (optionally prefixed ``BADGE:``) is the username of
an enabled user becomes a **badge code**: 128 random bits, good for
:data:`CODE_TTL_S` seconds and for one sign-in attempt, held in this
process only. ``/badge`` sends ``{"badge": code}``; the sign-in screen
sends the code with the password the officer types to ``POST
/api/v1/session/badge`` (:mod:`edge.api.badge_session`), which signs in the
badge's user. A listener learns that a badge was scanned, not whose; with
the code alone it can make one password guess for that user (counted by the
same throttle as a typed sign-in) and spend the code, which costs the
officer a second scan. Nothing else that passes the reader is repeated.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Any, Callable

from flask_socketio import SocketIO

NAMESPACE = "/badge"
BADGE_PREFIX = re.compile(r"^BADGE[:\s]*", re.IGNORECASE)
CODE_TTL_S = 120.0
"""How long a scanned badge waits for its password."""
MAX_CODES = 64
"""Badge codes held at once; the oldest goes first (a reader scanning in a loop fills nothing)."""


def badge_username(reading: dict[str, Any]) -> str | None:
    """The username a barcode reading spells, if it could be a staff badge."""
    if reading.get("kind") != "barcode" or reading["data"].get("parsed") is not None:
        return None  # containers, GS1 labels and passports are never badges
    text = BADGE_PREFIX.sub("", str(reading["data"].get("text", "")).strip()).lower()
    return text if re.fullmatch(r"[a-z0-9._-]{2,32}", text) else None


class BadgeRelay:
    """Turns badge scans of enabled users into one-time codes for sign-in screens.
    ``clock`` (monotonic seconds) is injectable so tests can let a code expire."""

    def __init__(self, socketio: SocketIO, enabled_usernames: Callable[[], set[str]],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.socketio = socketio
        self._enabled_usernames = enabled_usernames
        self._clock = clock
        self._screens = 0  # sign-in screens connected; with none, a scan is not even looked up
        self._codes: dict[str, tuple[str, float]] = {}  # code → (username, expires at); oldest first
        self._lock = threading.Lock()
        socketio.on_event("connect", self._on_connect, namespace=NAMESPACE)
        socketio.on_event("disconnect", self._on_disconnect, namespace=NAMESPACE)

    def _on_connect(self, auth: Any = None) -> bool:
        with self._lock:
            self._screens += 1
        return True

    def _on_disconnect(self, *args: Any) -> None:
        with self._lock:
            self._screens -= 1

    def offer(self, reading: dict[str, Any]) -> None:
        """A reading (on its reader's thread): a badge of an enabled user becomes a code
        sent to the sign-in screens. The users are looked up in the store only while a
        screen listens and the scan could be a badge."""
        if not self._screens:
            return
        username = badge_username(reading)
        if username is None or username not in self._enabled_usernames():
            return
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (username, self._clock() + CODE_TTL_S)
            while len(self._codes) > MAX_CODES:
                del self._codes[next(iter(self._codes))]
        self.socketio.emit("badge", {"badge": code}, namespace=NAMESPACE)

    def redeem(self, code: Any) -> str | None:
        """The username of a live badge code, which is spent by asking (None: unknown,
        used or expired)."""
        if not isinstance(code, str):
            return None
        with self._lock:
            held = self._codes.pop(code, None)
        if held is None or held[1] <= self._clock():
            return None
        return held[0]
