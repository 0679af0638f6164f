"""``GET /api/v1/lane``: which lane this box is and how it is doing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from common.clock import utc_now_iso
from common.web.routing import endpoint, lane_server

bp = Blueprint("lane", __name__, url_prefix="/api/v1")


@endpoint(bp, "/lane", "GET", summary="Lane identity, devices and evidence store summary")
def lane_info() -> Any:
    server = lane_server()
    devices = server.devices.snapshot()
    return {
        "id": server.config.lane_id,
        "name": server.config.lane_name,
        "time": utc_now_iso(),
        "version": server.version,
        "devices": [{"id": d["id"], "kind": d["kind"], "state": d["state"]} for d in devices],
        "store": {"events": server.store.count(), "last_seq": server.store.last_seq()},
        "live_clients": server.live.connected,
    }
