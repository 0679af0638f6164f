"""The control-room board's HTTP API: alarms, search, cases, metrics.

Declared with :func:`common.web.routing.endpoint`, like the lane's API, so the
token and role checks and the OpenAPI document come from one declaration.
Every signed-in hub user (viewer or supervisor) reads; only a supervisor
acknowledges an alarm.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request

from common.roles import SUPERVISORS
from common.web.errors import ApiError, not_found
from common.web.routing import current_session, endpoint, lane_server, query_int
from sync.hub.alarms import AlarmNotFound
from sync.hub.cases import MAX_RESULTS, SEARCH_QUERY, case_view, parse_day, search, to_csv
from sync.hub.metrics import metrics

bp = Blueprint("hub_board", __name__, url_prefix="/api/v1/hub")

KINDS = ("inspection", "seizure")


@endpoint(bp, "/alarms", "GET", summary="Alarms, newest first (?open=1 only unacknowledged; ?lane=)",
          query={"open": {"type": "string", "description": "1: only unacknowledged"},
                 "lane": {"type": "string", "description": "one lane"},
                 "limit": {"type": "integer", "description": "1-500, default 200"}})
def list_alarms() -> Any:
    return {"alarms": lane_server().alarms.list(
        lane=request.args.get("lane") or None, open_only=request.args.get("open") == "1",
        limit=query_int("limit", 200, 1, 500))}


@endpoint(bp, "/alarms/<int:alarm_id>/ack", "POST", roles=SUPERVISORS,
          summary="Acknowledge an alarm: who and when are kept; acknowledging twice changes nothing")
def acknowledge(alarm_id: int) -> Any:
    hub = lane_server()
    try:
        alarm, changed = hub.alarms.acknowledge(alarm_id, current_session().username)
    except AlarmNotFound:
        raise not_found(f"alarm {alarm_id}") from None
    if changed:
        hub.feed.alarms([alarm])
    return {"alarm": alarm, "changed": changed}


def _search_args() -> dict[str, Any]:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise ApiError(400, "invalid_field", "kind: inspection or seizure", field="kind")
    q = request.args.get("q") or None
    if q is not None and len(q) > 64:
        raise ApiError(400, "invalid_field", "q: at most 64 characters", field="q")
    return {"q": q, "lane": request.args.get("lane") or None, "kind": kind,
            "since": parse_day("from", request.args.get("from")),
            "until": parse_day("to", request.args.get("to"), end=True),
            "limit": query_int("limit", 100, 1, MAX_RESULTS)}


@endpoint(bp, "/search", "GET", query=SEARCH_QUERY,
          summary="Inspections and seizures of every lane by container, plate, document, bag, "
                  "lane and date")
def search_cases() -> Any:
    return {"cases": search(lane_server().store, **_search_args())}


@endpoint(bp, "/search.csv", "GET", query=SEARCH_QUERY, summary="The same search as CSV")
def search_csv() -> Any:
    text = to_csv(search(lane_server().store, **_search_args()))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="lanebox-search.csv"'})


@endpoint(bp, "/cases/<lane>/<case_id>", "GET",
          summary="One inspection or seizure: its timeline of events and chain of custody")
def get_case(lane: str, case_id: str) -> Any:
    return case_view(lane_server().store, lane, case_id)


@endpoint(bp, "/metrics", "GET", summary="Inspections per hour, clearance p50/p90, seizures, "
          "alarms and duty over the last hours",
          query={"hours": {"type": "integer", "description": "1-168, default 24"},
                 "lane": {"type": "string", "description": "one lane"}})
def get_metrics() -> Any:
    return metrics(lane_server().store, hours=query_int("hours", 24, 1, 168), now=time.time(),
                   lane=request.args.get("lane") or None)
