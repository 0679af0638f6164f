"""Serving a lane's or the hub's app in production: gunicorn, embedded.

Flask-SocketIO's threading mode is deployed on gunicorn's threaded worker
with one worker (its sessions live in that process). ``lanebox serve`` and
``lanebox hub`` are the master: it binds the port, forks the worker and
starts a new one should it die. The worker builds the service — the lane
server or the hub, whose threads would not survive a fork — serves it, and
stops it on SIGTERM or SIGINT: open websockets are sent away, requests
finish, then the service stops (its store closed). docs/server.md has the
knobs (:class:`~common.web.limits.ServerLimits`) and the why.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import socket
import ssl
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger

from common.web.limits import ServerLimits
from common.web.worker import GuardedThreadWorker

if TYPE_CHECKING:  # the master never imports Flask and the rest: the worker does, after the fork
    from flask_socketio import SocketIO

log = logging.getLogger(__name__)

#: how long a stop lets open requests finish before the service stops anyway
DRAIN_S = 10
#: how long the master gives the worker to drain and stop before it kills it
STOP_S = DRAIN_S + 5


@dataclass
class Service:
    """What the worker serves, once built: the WSGI app, the Socket.IO server
    whose clients a stop sends away, and how to stop the rest."""

    app: Any
    socketio: "SocketIO"
    stop: Callable[[], None]


class ServerError(Exception):
    """The server could not start; the message is the whole story, in one line."""


@dataclass
class _Plan:
    """Everything the worker needs to know, fixed by the master before the fork."""

    start: Callable[[], Service]
    fails: tuple[type[Exception], ...]
    name: str
    role: str | None
    lane: str | None
    host: str
    url: str
    port: int
    on_ready: Callable[[str], None] | None
    report: "_BootReport"


def serve(start: Callable[[], Service], host: str, port: int, name: str, *, role: str | None, lane: str | None = None,
          tls: tuple[Path, Path] | None = None, limits: ServerLimits = ServerLimits(),
          on_ready: Callable[[str], None] | None = None, fails: tuple[type[Exception], ...] = ()) -> None:
    """Listen, fork the worker that runs ``start()`` and serves the result,
    announce ``role`` over mDNS (None: do not), call ``on_ready(url)`` once serving (in the
    worker), and serve until SIGINT/SIGTERM.

    Raises :class:`ServerError` if the port, the TLS files or ``start()``
    fail — with an ``OSError`` or one of ``fails``, whose message is shown.
    """
    context = _ssl_context(tls)
    listener = _listen(host, port)
    bound_port = listener.getsockname()[1]
    url = f"{'https' if tls else 'http'}://{host}:{bound_port}"
    report = _BootReport()
    plan = _Plan(start, (OSError, *fails), name, role, lane, host, url, bound_port, on_ready, report)
    settings = {
        "bind": [f"fd://{listener.detach()}"],
        "workers": 1,  # Flask-SocketIO keeps its clients in the process
        "worker_class": _ServiceWorker,
        "threads": limits.max_connections,
        "worker_connections": limits.max_connections,
        "keepalive": 0,  # a connection is one request (common/web/worker.py)
        "graceful_timeout": STOP_S,
        "timeout": 0,  # no heartbeat: the hub's worker may wait for its database as long as it takes
        "logger_class": _Logger,
        "control_socket_disable": True,  # gunicorn's control socket is one per user: lanes would share it
    }
    if tls is not None:
        settings.update(certfile=str(tls[0]), keyfile=str(tls[1]), ssl_context=lambda _config, _default: context)
    master = os.getpid()
    try:
        _Arbiter(_Application(settings, plan, limits.read_timeout_s)).run()
        status: Any = 0
    except SystemExit as exit:  # how gunicorn's master ends, after its worker; and the worker itself
        if os.getpid() != master:
            raise
        status = exit.code
    failure = report.failure()
    if failure is not None:
        raise ServerError(failure)
    if status:
        raise ServerError(f"{name}: its server process ended with status {status} (see the log)")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(1024)
    except OSError as exc:
        listener.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener


def _ssl_context(tls: tuple[Path, Path] | None) -> ssl.SSLContext | None:
    """One context for every connection, made (and its files checked) before anything starts."""
    if tls is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(*tls)
    except (ssl.SSLError, OSError) as exc:
        raise ServerError(f"cannot use TLS certificate {tls[0]} / key {tls[1]}: {exc}") from None
    return context


class _BootReport:
    """A pipe from the worker to the master: why the service could not start."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)

    def fail(self, message: str) -> None:
        os.write(self._write, " ".join(message.split()).encode()[:4000])

    def failure(self) -> str | None:
        try:
            return os.read(self._read, 4096).decode(errors="replace") or None
        except BlockingIOError:
            return None


class _Application(BaseApplication):
    """gunicorn's view of the service: settings in, nothing read from files or the environment."""

    def __init__(self, settings: dict[str, Any], plan: _Plan, read_timeout_s: float) -> None:
        self._settings, self.plan, self.read_timeout_s = settings, plan, read_timeout_s
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)


class _Arbiter(Arbiter):
    """gunicorn's master, with one worker for good: the signals that would add
    workers or start new ones beside the running one (on one store) are ignored."""

    def handle_int(self) -> None:
        """Ctrl-C stops as cleanly as SIGTERM (gunicorn's own is a quick stop)."""
        self.handle_term()

    def _ignored(self) -> None:
        log.warning("signal ignored: lanebox runs one server process; restart it to change its config")

    handle_hup = handle_ttin = handle_ttou = handle_usr2 = handle_winch = _ignored


class _Logger(Logger):
    """gunicorn's messages through lanebox's logging (common.logs), warnings and
    worse only; no access log."""

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        self._access_log_enabled = False
        self.error_log.propagate = True
        self.error_log.setLevel(logging.WARNING)


class _ServiceWorker(GuardedThreadWorker):
    """The one worker: builds the service after the fork, serves it, stops it."""

    app: _Application

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service: Service | None = None
        self._stops: list[Callable[[], None]] = []

    def init_process(self) -> None:
        _die_with(self.ppid)
        # the worker drains in DRAIN_S, then stops its service, within the master's STOP_S
        self.cfg.set("graceful_timeout", DRAIN_S)
        super().init_process()

    def init_signals(self) -> None:
        super().init_signals()
        signal.signal(signal.SIGINT, self.handle_exit)  # Ctrl-C reaches the worker too: the same clean stop

    def handle_exit(self, sig: int, frame: Any) -> None:
        if self.service is None:
            raise SystemExit(0)  # still starting (the hub may be waiting for its database): nothing to drain
        if self.alive:
            # websockets would keep their connections open past any drain: send them away
            threading.Thread(target=self.service.socketio.server.eio.disconnect, name="send-clients-away",
                             daemon=True).start()
        super().handle_exit(sig, frame)

    def load_wsgi(self) -> None:
        plan = self.app.plan
        try:
            service = plan.start()
        except plan.fails as exc:
            plan.report.fail(str(exc))
            os.kill(self.ppid, signal.SIGTERM)  # the master stops, and reports it
            raise SystemExit(0) from None
        self._stops.append(service.stop)
        self.service, self.wsgi = service, service.app

    def run(self) -> None:
        plan = self.app.plan
        try:
            if plan.role is not None:
                self._announce(plan)
            # what the start made lives as long as the process: out of the collector's sight, a full
            # collection walks only what came since (in a lane's worker 100k objects: ~40 ms of
            # stopped readings at each full collection otherwise)
            gc.freeze()
            log.info("%s listening on %s", plan.name, plan.url)
            if self.age == 1:  # said once; a worker started again after a crash only logs
                if plan.on_ready:
                    plan.on_ready(plan.url)
            else:
                log.warning("%s: server process %s started again", plan.name, self.pid)
            super().run()
        finally:
            for stop in reversed(self._stops):
                try:
                    stop()
                except Exception:  # the rest must stop still, the store above all
                    log.exception("%s: %r failed while stopping", plan.name, stop)
            log.info("%s stopped", plan.name)
            sys.stdout.flush()

    def _announce(self, plan: _Plan) -> None:
        """Say over mDNS who serves here, on the interface we serve on (all of them for a wildcard bind)."""
        from common.discovery import Announcer, advertised_addresses, make_zeroconf

        zeroconf = make_zeroconf(None if plan.host in ("0.0.0.0", "") else [plan.host])
        self._stops.append(zeroconf.close)
        announcer = Announcer(zeroconf, plan.role, plan.port, advertised_addresses(plan.host), lane=plan.lane,
                              scheme=plan.url.split(":", 1)[0]).start()
        self._stops.append(announcer.close)


def _die_with(master: int) -> None:
    """Have the kernel kill this worker if the master dies (kill -9 of lanebox
    is then what it says); without it the worker would serve on for a while."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != master:  # died before that
        os._exit(0)
