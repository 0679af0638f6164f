"""The Socket.IO ``/board`` namespace: lane changes and alarms to control rooms.

A board connects with ``auth={"token": HUB_USER_TOKEN}``; without a valid
hub session the connection is refused, and it is disconnected when that
session ends (:class:`~common.web.sockets.SocketSessions`). What it is sent:

* ``lane`` — one lane's row as ``GET /api/v1/hub/lanes`` lists it, whenever
  the lane reports a status or goes online/offline;
* ``alarm`` — an alarm as ``GET /api/v1/hub/alarms`` lists it, when raised
  or at each step of its lifecycle (acknowledged, assigned, cleared);
* ``shelves`` — every shelf in force, as ``GET /api/v1/hub/shelves`` lists
  them, when one is made or ended.

Every emit goes through the :class:`~flask_socketio.SocketIO` object to the
whole namespace, never through per-connection state, so the same calls
work unchanged once several hub workers share a Redis ``message_queue``
(Flask-SocketIO then relays each emit to every worker's boards).
"""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO

from common.web.sockets import SocketSessions

NAMESPACE = "/board"


class BoardFeed:
    """Owns the /board namespace; ``sessions`` admits hub users' sessions."""

    def __init__(self, socketio: SocketIO, sessions: SocketSessions) -> None:
        self.socketio = socketio
        self._sessions = sessions
        socketio.on_event("connect", self._on_connect, namespace=NAMESPACE)
        socketio.on_event("disconnect", self._on_disconnect, namespace=NAMESPACE)

    def _on_connect(self, auth: Any = None) -> bool:
        self._sessions.admit(auth, NAMESPACE)
        return True

    def _on_disconnect(self, *args: Any) -> None:
        self._sessions.forget(NAMESPACE)

    def lane(self, row: dict[str, Any]) -> None:
        self.socketio.emit("lane", row, namespace=NAMESPACE)

    def alarms(self, alarms: list[dict[str, Any]]) -> None:
        for alarm in alarms:
            self.socketio.emit("alarm", alarm, namespace=NAMESPACE)

    def shelves(self, shelves: list[dict[str, Any]]) -> None:
        self.socketio.emit("shelves", {"shelves": shelves}, namespace=NAMESPACE)
