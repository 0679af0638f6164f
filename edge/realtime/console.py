"""``/console``: a device's raw bytes, in and out, for technicians.

When a scale "does nothing", a technician needs to see the wire: what the
lane sends, what comes back, byte for byte, with the time. This Socket.IO
namespace admits technicians and supervisors only (the bytes include
passport lines), and drops each when its session ends
(:class:`~common.web.sockets.SocketSessions`); a client ``watch``es a device and from then on gets a
``traffic`` message per whole frame that came in (cut at the protocol's own
frame ends by :mod:`drivers.console_frames`, not per read) and per write
that went out. The driver's traffic tap is switched on only while someone
watches, so an unwatched lane pays nothing for it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Callable

from flask import request
from flask_socketio import SocketIO, join_room, leave_room

from common.clock import utc_now_iso
from common.roles import TECHNICIANS
from common.web.sockets import SocketSessions

NAMESPACE = "/console"
_NAMES = {0x0D: "<CR>", 0x0A: "<LF>", 0x02: "<STX>", 0x03: "<ETX>", 0x1D: "<GS>", 0x09: "<TAB>"}


def printable(data: bytes) -> str:
    """Bytes as text a person can read: ASCII as is, control bytes named (``<CR>``) or in hex (``<1B>``)."""
    return "".join(chr(b) if 0x20 <= b < 0x7F else _NAMES.get(b, f"<{b:02X}>") for b in data)


def _room(device_id: str) -> str:
    return f"console:{device_id}"


class RawConsole:
    """Owns the /console namespace; ``tap(device_id, on)`` switches a device's traffic tap."""

    def __init__(self, socketio: SocketIO, sessions: SocketSessions,
                 tap: Callable[[str, bool], None], known: Callable[[str], bool]) -> None:
        self.socketio = socketio
        self._sessions = sessions
        self._tap = tap
        self._known = known
        self._lock = threading.Lock()
        self._watching: dict[str, set[str]] = defaultdict(set)  # device_id → sids
        socketio.on_event("connect", self._on_connect, namespace=NAMESPACE)
        socketio.on_event("disconnect", self._on_disconnect, namespace=NAMESPACE)
        socketio.on_event("watch", self._on_watch, namespace=NAMESPACE)
        socketio.on_event("unwatch", self._on_unwatch, namespace=NAMESPACE)

    def _on_connect(self, auth: Any = None) -> bool:
        self._sessions.admit(auth, NAMESPACE, TECHNICIANS)
        return True

    def _on_watch(self, data: Any = None) -> dict[str, Any]:
        device_id = data.get("device_id") if isinstance(data, dict) else None
        if not isinstance(device_id, str) or not self._known(device_id):
            return {"ok": False, "error": f"no device {device_id!r}"}
        sid = request.sid  # type: ignore[attr-defined]
        join_room(_room(device_id))
        with self._lock:
            self._watching[device_id].add(sid)
        self._tap(device_id, True)
        return {"ok": True, "device_id": device_id}

    def _on_unwatch(self, data: Any = None) -> dict[str, Any]:
        device_id = data.get("device_id") if isinstance(data, dict) else None
        if isinstance(device_id, str):
            leave_room(_room(device_id))
            self._forget(request.sid, [device_id])  # type: ignore[attr-defined]
        return {"ok": True}

    def _on_disconnect(self, *args: Any) -> None:
        self._sessions.forget(NAMESPACE)
        with self._lock:
            devices = [d for d, sids in self._watching.items() if request.sid in sids]  # type: ignore[attr-defined]
        self._forget(request.sid, devices)  # type: ignore[attr-defined]

    def _forget(self, sid: str, device_ids: list[str]) -> None:
        for device_id in device_ids:
            with self._lock:
                watchers = self._watching[device_id]
                watchers.discard(sid)
                idle = not watchers
            if idle:
                self._tap(device_id, False)

    def traffic(self, device_id: str, direction: str, data: bytes) -> None:
        """From a driver's reader (or a writer's) thread: one frame to the device's watchers."""
        self.socketio.emit("traffic", {"device_id": device_id, "dir": direction, "ts": utc_now_iso(),
                                       "hex": data.hex(" "), "text": printable(data)},
                           namespace=NAMESPACE, to=_room(device_id))
