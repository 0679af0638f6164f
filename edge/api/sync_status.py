"""``GET /api/v1/sync``: how far the hub is behind this lane (the backlog
officers see as "not yet at hub: N")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from edge.api.routing import endpoint, lane_server

bp = Blueprint("sync_status", __name__, url_prefix="/api/v1")


def sync_status() -> dict[str, Any]:
    agent = lane_server().sync
    if agent is None:
        return {"configured": False, "backlog": lane_server().store.last_seq()}
    return {"configured": True, **agent.status()}


@endpoint(bp, "/sync", "GET", summary="Upstream sync: backlog, oldest unsent event, last success and error")
def get_sync() -> Any:
    return sync_status()
