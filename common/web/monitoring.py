"""``/healthz`` and ``/metrics``: what monitoring reads without a token, at a lane or the hub.

The server object (``app.extensions["lanebox"]``) answers ``health()`` with
a JSON body and a status (200 while it can do its job, 503 naming what is
down) and keeps a Prometheus ``metrics_registry`` whose collectors read the
figures at scrape time from where they already live.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from prometheus_client import generate_latest

from common.web.routing import lane_server

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"

bp = Blueprint("monitoring", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return lane_server().health()


@bp.get("/metrics")
def metrics() -> Any:
    return Response(generate_latest(lane_server().metrics_registry), mimetype=PROMETHEUS_TEXT)
