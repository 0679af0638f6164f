"""The port hub, put together: config in, a Flask app on a real socket out.

:func:`create_hub_app` is the app factory (Flask's tutorial pattern: the
store is passed in, nothing global at import time), so tests can serve a
hub in-process; :func:`run_hub` is what ``lanebox hub`` runs until
SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Flask, current_app

from edge.api.errors import install_error_handlers
from edge.serve import serve_until_signal
from sync import hub_lanes, hub_reference, receiver
from sync.config import DEFAULT_OFFLINE_AFTER_S, HubConfig
from sync.hub_store import HubStore
from sync.protocol import MAX_BODY_BYTES

log = logging.getLogger(__name__)


def create_hub_app(store: HubStore, offline_after_s: float = DEFAULT_OFFLINE_AFTER_S) -> Flask:
    """The hub's WSGI app over a started :class:`HubStore`; a lane silent for
    ``offline_after_s`` shows as offline."""
    app = Flask("sync.hub")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[receiver.EXTENSION] = store
    app.extensions[hub_lanes.EXTENSION] = hub_lanes.LaneBoard(store, offline_after_s)
    for blueprint in (receiver.bp, hub_lanes.bp, hub_reference.bp):
        app.register_blueprint(blueprint)
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
        serve_until_signal(create_hub_app(store, config.offline_after_s), config.host,
                           config.port, f"hub {config.hub_id}", role="hub", on_ready=on_ready)
    finally:
        store.close()
