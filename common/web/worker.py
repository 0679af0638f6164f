"""gunicorn's threaded worker, with the defences a lane box needs.

Read against the pinned gunicorn (27.0.1), its ``gthread`` worker as shipped:

- waits 5 s for a new connection's first byte, but once one has come it
  reads the request head with no deadline at all: a client that sends half
  a request (slowloris) keeps a thread for ever;
- closes a finished connection on its main loop, lingering up to 2 s for the
  client to hang up: each such client stalls every accept and keep-alive
  meanwhile;
- counts a connection out twice when its socket is closed already, as
  simple-websocket closes a websocket's: after a few websockets its count is
  negative and ``worker_connections`` bounds nothing.

:class:`GuardedThreadWorker` gives every request head a deadline (the
connection is cut when it passes), an idle timeout to bodies and responses
(not to websockets, which Engine.IO pings every 25 s), closes connections on
their own thread and counts them out once. It runs with ``threads ==
worker_connections`` and no keep-alive: every connection it takes in has a
thread, and is one request, as with the server before it (the sync fault
tests count on that).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

from gunicorn.util import close_graceful
from gunicorn.workers.gthread import _DEFER, TConn, ThreadWorker

log = logging.getLogger(__name__)

_CLOSED = object()
"""What :meth:`GuardedThreadWorker.handle` returns once it has closed the connection itself."""


class _HeadDeadlines:
    """Connections still reading a request head, each with the time it must be done by."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[TConn, float] = {}

    def watch(self, conn: TConn, due: float) -> None:
        with self._lock:
            self._due[conn] = due

    def forget(self, conn: TConn) -> None:
        with self._lock:
            self._due.pop(conn, None)

    def overdue(self, now: float) -> list[TConn]:
        """The connections past their deadline, forgotten as they are returned."""
        with self._lock:
            late = [conn for conn, due in self._due.items() if due <= now]
            for conn in late:
                del self._due[conn]
        return late


class GuardedThreadWorker(ThreadWorker):
    """``gthread`` with a request-head deadline, read/write idle timeouts and a
    connection count that holds; ``read_timeout_s`` comes from the application
    (its attribute of that name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout_s: float = self.app.read_timeout_s
        self._heads = _HeadDeadlines()

    def handle(self, conn: TConn) -> Any:
        """Serve one request on a pool thread, its head under a deadline that
        runs from the first wait for it (a deferred connection keeps its own)."""
        due = getattr(conn, "head_due", None)
        if due is None:
            due = conn.head_due = time.monotonic() + self.read_timeout_s
        self._heads.watch(conn, due)
        try:
            result = super().handle(conn)
        finally:
            self._heads.forget(conn)
        if result is _DEFER:  # no first byte yet: it waits on the main loop, its deadline running
            return result
        close_graceful(conn.sock)  # here, not on the main loop: its linger holds only this thread
        return _CLOSED

    def handle_request(self, req: Any, conn: TConn) -> bool:
        """The head is in: stop its clock, and bound the silences that follow
        (a body, the response) — except a websocket's, which lives on pings."""
        self._heads.forget(conn)
        upgrade = any(name == "UPGRADE" and value.strip().lower() == "websocket" for name, value in req.headers)
        conn.sock.settimeout(None if upgrade else self.read_timeout_s)
        return super().handle_request(req, conn)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        result = fs.result() if not fs.cancelled() and fs.exception() is None else None
        if result is _CLOSED:
            self.nr_conns -= 1  # closed on its thread already: counted out once, here
            return
        super().finish_request(conn, fs)
        if result is _DEFER:  # waiting on the main loop: dropped there at its head deadline
            conn.timeout = conn.head_due

    def murder_pending(self) -> None:
        """gunicorn's sweep of deferred connections (each turn of the main loop),
        and ours: cut every connection whose request head is overdue."""
        super().murder_pending()
        for conn in self._heads.overdue(time.monotonic()):
            log.info("dropped a connection from %s: no whole request within %g s",
                     conn.client[0] if isinstance(conn.client, tuple) else conn.client, self.read_timeout_s)
            try:  # the plain socket's shutdown, under TLS too: the blocked read on its thread sees the end
                socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)
            except OSError:
                pass  # gone already
