"""``/badge``: a badge scanned on the lane's reader fills the sign-in form.

The sign-in screen has no token yet, so it cannot join ``/live``; and
``/live`` must not be open to anyone on the lane network (it carries
passports). This namespace is open but carries one thing only: a scan whose
text (optionally prefixed ``BADGE:``) is the username of an enabled user.
Nothing else that passes the reader is repeated here.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from flask_socketio import SocketIO

NAMESPACE = "/badge"
BADGE_PREFIX = re.compile(r"^BADGE[:\s]*", re.IGNORECASE)


def badge_username(reading: dict[str, Any]) -> str | None:
    """The username a barcode reading spells, if it could be a staff badge."""
    if reading.get("kind") != "barcode" or reading["data"].get("parsed") is not None:
        return None  # containers, GS1 labels and passports are never badges
    text = BADGE_PREFIX.sub("", str(reading["data"].get("text", "")).strip()).lower()
    return text if re.fullmatch(r"[a-z0-9._-]{2,32}", text) else None


class BadgeRelay:
    """Forwards badge scans of enabled users to sign-in screens."""

    def __init__(self, socketio: SocketIO, enabled_usernames: Callable[[], set[str]]) -> None:
        self.socketio = socketio
        self._enabled_usernames = enabled_usernames
        self._screens = 0  # sign-in screens connected; with none, a scan is not even looked up
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
        """A reading (on its reader's thread): a badge of an enabled user goes to the sign-in screens.
        The users are looked up in the store only while a screen listens and the scan could be a badge."""
        if not self._screens:
            return
        username = badge_username(reading)
        if username is not None and username in self._enabled_usernames():
            self.socketio.emit("badge", {"username": username}, namespace=NAMESPACE)
