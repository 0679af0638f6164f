"""``GET /api/v1/sync``: how far the hub is behind this lane (the backlog
officers see as "not yet at hub: N")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.web.routing import endpoint, lane_server

bp = Blueprint("sync_status", __name__, url_prefix="/api/v1")


def sync_status() -> dict[str, Any]:
    server = lane_server()
    if server.hub_link is None:
        return {"configured": False, "backlog": server.store.last_seq()}
    return {"configured": True, **server.hub_link.sync.status()}


@endpoint(bp, "/sync", "GET", summary="Upstream sync: backlog, oldest unsent event, last success and error")
def get_sync() -> Any:
    return sync_status()
