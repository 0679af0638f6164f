"""The port hub, put together: config in, a Flask app on a real socket out.

:func:`create_hub_app` is the app factory (Flask's tutorial pattern: the
store is passed in, nothing global at import time), so tests can serve a
hub in-process; :func:`run_hub` is what ``lanebox hub`` runs until
SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any, Callable

from flask import Flask, current_app
from werkzeug.serving import make_server

from edge.api.errors import install_error_handlers
from sync import receiver
from sync.config import HubConfig
from sync.hub_store import HubStore
from sync.protocol import MAX_BODY_BYTES

log = logging.getLogger(__name__)


def create_hub_app(store: HubStore) -> Flask:
    """The hub's WSGI app over a started :class:`HubStore`."""
    app = Flask("sync.hub")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[receiver.EXTENSION] = store
    app.register_blueprint(receiver.bp)
    app.add_url_rule("/healthz", "healthz", _healthz)
    install_error_handlers(app)
    return app


def _healthz() -> Any:
    return {"status": "ok", "hub": current_app.extensions[receiver.EXTENSION].hub_id}


def run_hub(config: HubConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the hub until a signal; ``on_ready`` gets the base URL once listening.

    Raises ``OSError`` if the address cannot be bound and
    :class:`~edge.writer.StoreError` if the store cannot be opened.
    """
    store = HubStore(config.store_path, config.hub_id).start()
    try:
        http = make_server(config.host, config.port, create_hub_app(store), threaded=True)
    except OSError as exc:
        store.close()
        raise OSError(f"cannot listen on {config.host}:{config.port}: "
                      f"{exc.strerror or exc}") from None
    url = f"http://{config.host}:{http.server_port}"
    stopping = threading.Event()

    def request_stop(*_: object) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=http.shutdown, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    log.info("hub %s listening on %s", config.hub_id, url)
    if on_ready:
        on_ready(url)
    try:
        http.serve_forever()
    finally:
        http.server_close()
        store.close()
        log.info("hub %s stopped", config.hub_id)
