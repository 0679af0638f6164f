"""Running a :class:`LaneServer` on a real socket until SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from werkzeug.serving import make_server

from edge.app import LaneServer
from edge.config import LaneConfig
from sync.discovery import Announcer, advertised_addresses, make_zeroconf

log = logging.getLogger(__name__)


def setup_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def run_lane(config: LaneConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve one lane until a signal; ``on_ready`` gets the base URL once listening.

    Werkzeug's threaded server is what Flask-SocketIO's threading mode runs
    on; an edge box serves a handful of tablets, well within what it does.
    """
    server = LaneServer(config)
    server.start()
    try:
        http = make_server(config.host, config.port, server.app, threaded=True)
    except OSError as exc:
        server.stop()
        raise OSError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
    url = f"http://{config.host}:{http.server_port}"
    stop_requested = threading.Event()

    def request_stop(*_: object) -> None:
        if not stop_requested.is_set():
            stop_requested.set()
            threading.Thread(target=http.shutdown, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    log.info("lane %s listening on %s", config.lane_id, url)
    # announce on the interface we serve on (all of them for a wildcard bind)
    zeroconf = make_zeroconf(None if config.host in ("0.0.0.0", "") else [config.host])
    announcer = Announcer(zeroconf, "lane", http.server_port, advertised_addresses(config.host),
                          lane=config.lane_id).start()
    if on_ready:
        on_ready(url)
    try:
        http.serve_forever()
    finally:
        http.server_close()
        announcer.close()
        zeroconf.close()
        server.stop()
        log.info("lane %s stopped", config.lane_id)
