"""The Socket.IO ``/board`` namespace: lane changes and alarms to control rooms.

A board connects with ``auth={"token": HUB_USER_TOKEN}``; without a valid
hub session the connection is refused. What it is sent:

* ``lane`` — one lane's row as ``GET /api/v1/hub/lanes`` lists it, whenever
  the lane reports a status or goes online/offline;
* ``alarm`` — an alarm as ``GET /api/v1/hub/alarms`` lists it, when raised
  or acknowledged.

Every emit goes through the :class:`~flask_socketio.SocketIO` object to the
whole namespace, never through per-connection state, so the same calls
work unchanged once several hub workers share a Redis ``message_queue``
(Flask-SocketIO then relays each emit to every worker's boards).
"""

from __future__ import annotations

from typing import Any, Callable

from flask_socketio import SocketIO

from common.web.sockets import session_of

NAMESPACE = "/board"


class BoardFeed:
    """Owns the /board namespace; ``check_token`` is the hub users' check."""

    def __init__(self, socketio: SocketIO, check_token: Callable[[Any], Any]) -> None:
        self.socketio = socketio
        self._check_token = check_token
        socketio.on_event("connect", self._on_connect, namespace=NAMESPACE)

    def _on_connect(self, auth: Any = None) -> bool:
        session_of(auth, self._check_token)
        return True

    def lane(self, row: dict[str, Any]) -> None:
        self.socketio.emit("lane", row, namespace=NAMESPACE)

    def alarms(self, alarms: list[dict[str, Any]]) -> None:
        for alarm in alarms:
            self.socketio.emit("alarm", alarm, namespace=NAMESPACE)
