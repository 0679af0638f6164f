"""Serving a lane's or the hub's WSGI app on a real socket until SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
import ssl
import threading
from pathlib import Path
from typing import Any, Callable

from werkzeug.serving import make_server

from common.discovery import Announcer, advertised_addresses, make_zeroconf

log = logging.getLogger(__name__)


def serve_until_signal(app: Any, host: str, port: int, name: str, *, role: str, lane: str | None = None,
                       tls: tuple[Path, Path] | None = None, on_ready: Callable[[str], None] | None = None) -> None:
    """Listen, announce ``role`` over mDNS, call ``on_ready(url)``, and serve
    until SIGINT/SIGTERM — the loop the lane and the hub share.

    Werkzeug's threaded server is what Flask-SocketIO's threading mode runs
    on; an edge box serves a handful of tablets, well within what it does.
    """
    try:
        http = make_server(host, port, app, threaded=True, ssl_context=_ssl_context(tls))
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    url = f"{'https' if tls else 'http'}://{host}:{http.server_port}"
    stop_requested = threading.Event()

    def request_stop(*_: object) -> None:
        if not stop_requested.is_set():
            stop_requested.set()
            threading.Thread(target=http.shutdown, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    log.info("%s listening on %s", name, url)
    # announce on the interface we serve on (all of them for a wildcard bind)
    zeroconf = make_zeroconf(None if host in ("0.0.0.0", "") else [host])
    announcer = Announcer(zeroconf, role, http.server_port, advertised_addresses(host), lane=lane,
                          scheme="https" if tls else "http").start()
    if on_ready:
        on_ready(url)
    try:
        http.serve_forever()
    finally:
        http.server_close()
        announcer.close()
        zeroconf.close()
        log.info("%s stopped", name)


def _ssl_context(tls: tuple[Path, Path] | None) -> ssl.SSLContext | None:
    if tls is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(*tls)
    except (ssl.SSLError, OSError) as exc:
        raise OSError(f"cannot use TLS certificate {tls[0]} / key {tls[1]}: {exc}") from None
    return context
