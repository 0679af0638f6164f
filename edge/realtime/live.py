"""The Socket.IO ``/live`` namespace: readings and device states to tablets.

A tablet connects with ``auth={"token": ...}``; without a valid session the
connection is refused, and it is disconnected when that session ends
(:class:`~common.web.sockets.SocketSessions`). On connect it is sent the
current state and last reading of every device, then every new one as it
happens.

Slow clients: Engine.IO keeps an unbounded send queue per client, so one
tablet stuck at the far end of the lane could grow the server's memory
without limit. Every ``check_interval`` seconds (at a broadcast) we look at
every client's queue; a client with more than ``max_backlog`` messages
waiting is skipped until the next look (each message it misses counted as a
drop), and one that stays over the bound for ``stall_timeout`` seconds is
disconnected — its app reconnects and gets the current state afresh, which
is all a live view needs. Looking at every queue for every message would
cost each reading a lock per tablet, on the reader's thread; between two
looks a client can fall only a few messages further behind.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from flask import request
from flask_socketio import SocketIO, join_room

from common.web.sockets import SocketSessions

log = logging.getLogger(__name__)

NAMESPACE = "/live"
ROOM = "tablets"


@dataclass
class LiveClient:
    sid: str
    username: str
    role: str
    lagging_since: float | None = None
    dropped: int = 0
    skipped: bool = False  # over max_backlog at the last look


class LiveHub:
    """Owns the /live namespace and the fan-out to connected tablets."""

    def __init__(self, socketio: SocketIO, sessions: SocketSessions,
                 initial_messages: Callable[[], list[tuple[str, dict[str, Any]]]],
                 max_backlog: int = 256, stall_timeout: float = 5.0, check_interval: float = 0.1) -> None:
        self.socketio = socketio
        self._sessions = sessions
        self._initial_messages = initial_messages
        self.max_backlog = max_backlog
        self.stall_timeout = stall_timeout
        self.check_interval = check_interval
        self._next_check = 0.0
        self.clients: dict[str, LiveClient] = {}
        self.dropped_total = 0
        self.sent_total = 0
        self._lock = threading.Lock()
        socketio.on_event("connect", self._on_connect, namespace=NAMESPACE)
        socketio.on_event("disconnect", self._on_disconnect, namespace=NAMESPACE)

    # ----- connection lifecycle ------------------------------------------
    def _on_connect(self, auth: Any = None) -> bool:
        session = self._sessions.admit(auth, NAMESPACE)
        sid = request.sid  # type: ignore[attr-defined]
        with self._lock:
            self.clients[sid] = LiveClient(sid=sid, username=session.username, role=session.role)
        join_room(ROOM)
        for event, data in self._initial_messages():
            self.socketio.emit(event, data, namespace=NAMESPACE, to=sid)
        return True

    def _on_disconnect(self, *args: Any) -> None:
        self._sessions.forget(NAMESPACE)
        with self._lock:
            self.clients.pop(request.sid, None)  # type: ignore[attr-defined]

    @property
    def connected(self) -> int:
        return len(self.clients)

    # ----- fan-out ---------------------------------------------------------
    def publish(self, event: str, data: dict[str, Any]) -> None:
        """Send to every tablet that is keeping up; skip and count the rest."""
        with self._lock:
            clients = list(self.clients.values())
        if not clients:
            return
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.check_interval
            for client in clients:
                client.skipped = self._is_lagging(client, now)
        skipped = [c for c in clients if c.skipped]
        for client in skipped:
            client.dropped += 1
        self.dropped_total += len(skipped)
        self.sent_total += len(clients) - len(skipped)
        if len(skipped) < len(clients):
            self.socketio.emit(event, data, namespace=NAMESPACE, to=ROOM,
                               skip_sid=[c.sid for c in skipped] or None)

    def _is_lagging(self, client: LiveClient, now: float) -> bool:
        backlog = self._backlog(client.sid)
        if backlog <= self.max_backlog:
            client.lagging_since = None
            return False
        if client.lagging_since is None:
            client.lagging_since = now
            log.warning("live client %s (%s) is %d messages behind; dropping for it",
                        client.sid, client.username, backlog)
        elif now - client.lagging_since > self.stall_timeout:
            log.warning("live client %s (%s) stalled for %.0f s; disconnecting",
                        client.sid, client.username, now - client.lagging_since)
            client.lagging_since = now  # do not ask twice while it goes
            self.socketio.start_background_task(self._disconnect, client.sid)
        return True

    def _disconnect(self, sid: str) -> None:
        try:
            self.socketio.server.disconnect(sid, namespace=NAMESPACE)
        except Exception:  # already gone
            log.debug("disconnect of %s failed", sid, exc_info=True)

    def _backlog(self, sid: str) -> int:
        """Messages waiting in Engine.IO's queue for this client."""
        server = self.socketio.server
        eio_sid = server.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = server.eio.sockets.get(eio_sid) if eio_sid else None
        return socket.queue.qsize() if socket is not None else 0
