"""Who is on the other end of a Socket.IO connection, for as long as it may be.

Every namespace that carries more than a badge (the lane's ``/live`` and
``/console``, the hub's ``/board``) admits a client only with a live session:
``auth={"token": ...}`` at connect, checked against the same sessions as the
REST API. A refusal is Socket.IO's ``connect_error`` with a code, never a
silent accept.

A socket must also end with its session: a tablet signed out, an account
disabled or re-passworded, a session run out — its sockets would otherwise
stream on (raw passport lines on ``/console``) for as long as they stay
open. :class:`SocketSessions` remembers the token each socket was admitted
with and sweeps: every :data:`SWEEP_S` seconds, and at once after a change a
signed-in user made over the API, it asks the sessions again and
disconnects every socket whose session is gone. Asking (rather than being
told) covers every way a session ends alike — logout, disable, password
change, expiry, the roster, the CLI in another process, another hub worker —
without each of them having to know about sockets.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from flask import Flask, g, request
from flask_socketio import SocketIO

from common.periodic import Periodic
from common.web import strict_json

log = logging.getLogger(__name__)

SWEEP_S = 1.0
"""Longest a socket outlives its session when no request says a session may have ended."""
SWEEP_GAP_S = 0.1
"""Shortest time between two sweeps, however many changes wake it."""
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def make_socketio(app: Flask, **options: Any) -> SocketIO:
    """The Socket.IO server of a lane or the hub on ``app``.

    Threading mode (plain threads suit blocking serial reads,
    docs/architecture.md); payloads parsed by :mod:`common.web.strict_json`;
    and Engine.IO's Origin check on: a browser may connect only from a page
    of this very server (the Origin must be the scheme and ``Host`` the
    request came to, or ``X-Forwarded-Proto`` and ``Host`` set by a proxy
    in front), so a page elsewhere cannot open a socket with the user's
    browser. Clients that are not browsers send no Origin and are let
    through to the session check. (``cors_allowed_origins=[]``, which the
    servers once passed, switches that check *off*.)
    """
    return SocketIO(app, async_mode="threading", cors_allowed_origins=None, json=strict_json, **options)


def session_of(auth: Any, check_token: Callable[[str], Any], roles: tuple[str, ...] | None = None) -> Any:
    """The session a connection's ``auth={"token": ...}`` names; refuses the
    connection without a live one, or for a role not in ``roles`` (None: any)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    session = check_token(token) if isinstance(token, str) and token else None
    if session is None:
        raise ConnectionRefusedError({"code": "unauthorized", "message": "a valid session token is required"})
    if roles is not None and session.role not in roles:
        raise ConnectionRefusedError({"code": "forbidden", "message": f"the {session.role} role may not"})
    return session


class SocketSessions:
    """The open sockets of one server by the session that admitted them; each
    is disconnected once its session no longer checks out.

    ``check_token`` is the server's session check (a lane's or the hub's
    users). :meth:`watch` makes the sweep start after writes of signed-in
    users on ``app``; :meth:`start` and :meth:`stop` the sweeping thread.
    """

    def __init__(self, socketio: SocketIO, check_token: Callable[[str], Any], interval: float = SWEEP_S) -> None:
        self.socketio = socketio
        self._check_token = check_token
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], str] = {}  # (namespace, sid) → the token it was admitted with
        self._sweeper = Periodic("socket-session-sweep", self.sweep, interval=interval,
                                 min_gap=min(SWEEP_GAP_S, interval))

    def admit(self, auth: Any, namespace: str, roles: tuple[str, ...] | None = None) -> Any:
        """In a ``connect`` handler: :func:`session_of`, and remember the socket under its token."""
        session = session_of(auth, self._check_token, roles)
        with self._lock:
            self._tokens[(namespace, request.sid)] = session.token  # type: ignore[attr-defined]
        return session

    def forget(self, namespace: str) -> None:
        """In a ``disconnect`` handler: the socket is gone."""
        with self._lock:
            self._tokens.pop((namespace, request.sid), None)  # type: ignore[attr-defined]

    @property
    def open(self) -> int:
        """Sockets held under a session now."""
        return len(self._tokens)

    def sweep(self) -> int:
        """Disconnect every socket whose session has ended; returns how many.
        Each distinct token is checked once."""
        with self._lock:
            held = dict(self._tokens)
        ended = {token for token in set(held.values()) if self._check_token(token) is None}
        gone = [key for key, token in held.items() if token in ended]
        for namespace, sid in gone:
            with self._lock:
                self._tokens.pop((namespace, sid), None)
            log.info("session ended: disconnecting socket %s on %s", sid, namespace)
            try:
                self.socketio.server.disconnect(sid, namespace=namespace)
            except Exception:  # already going: nothing left to end
                log.debug("disconnect of %s on %s failed", sid, namespace, exc_info=True)
        return len(gone)

    def watch(self, app: Flask) -> None:
        """Sweep right after any change a signed-in user made over ``app``'s
        API (a sign-out, a disabled account, a new password ...), so the
        sockets of a session ended there go at once, not within a second."""

        @app.after_request
        def _after(response: Any) -> Any:
            if request.method in WRITES and g.get("session") is not None and response.status_code < 400:
                self._sweeper.wake()
            return response

    def start(self) -> None:
        self._sweeper.start()

    def stop(self) -> None:
        self._sweeper.stop()
