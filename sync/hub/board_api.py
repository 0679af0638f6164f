"""The control-room board's HTTP API: alarms, search, cases, metrics.

Declared with :func:`common.web.routing.endpoint`, like the lane's API, so the
token and role checks and the OpenAPI document come from one declaration.
Every signed-in hub user (viewer or supervisor) reads; only a supervisor
takes an alarm through its lifecycle (acknowledge, clear, assign, shelve):
each step is an entry of the hub's alarm log, pushed to every board.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from flask import Blueprint, Response, request

from common.roles import SUPERVISORS
from common.web.errors import ApiError, not_found
from common.web.routing import current_session, endpoint, lane_server, query_int
from sync.hub import consultation_log as consulted
from sync.hub.alarms import MAX_SHELVE_MIN, AlarmNotFound
from sync.hub.cases import MAX_RESULTS, SEARCH_QUERY, case_view, parse_day, search, to_csv
from sync.hub.metrics import metrics

bp = Blueprint("hub_board", __name__, url_prefix="/api/v1/hub")

KINDS = ("inspection", "seizure")


STATES = ("active", "unacknowledged", "acknowledged", "cleared")
_NOTE = {"type": "string", "maxLength": 500, "description": "why, what was done (kept in the alarm log)"}
NOTE_BODY = {"type": "object", "additionalProperties": False, "properties": {"note": _NOTE}}
ASSIGN_BODY = {"type": "object", "additionalProperties": False, "required": ["assignee"],
               "properties": {"assignee": {"type": "string", "minLength": 1, "maxLength": 64},
                              "note": _NOTE}}
SHELVE_BODY = {"type": "object", "additionalProperties": False, "required": ["lane", "kind", "minutes", "reason"],
               "properties": {"lane": {"type": "string", "minLength": 1, "maxLength": 64},
                              "kind": {"type": "string", "minLength": 1, "maxLength": 64},
                              "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_SHELVE_MIN},
                              "reason": {"type": "string", "minLength": 3, "maxLength": 300}}}
_CHANGED = {404: "no such alarm", 409: "the alarm's state does not allow this step"}


@endpoint(bp, "/alarms", "GET", summary="Alarms, newest first, each with its severity, state and history "
          "(?state=active|unacknowledged|acknowledged|cleared; ?open=1 only unacknowledged; ?lane=)",
          query={"open": {"type": "string", "description": "1: only unacknowledged"},
                 "state": {"type": "string", "description": "active (not cleared), unacknowledged, "
                                                            "acknowledged or cleared"},
                 "lane": {"type": "string", "description": "one lane"},
                 "limit": {"type": "integer", "description": "1-500, default 200"}})
def list_alarms() -> Any:
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(400, "invalid_field", f"state: one of {', '.join(STATES)}", field="state")
    return {"alarms": lane_server().alarms.list(
        lane=request.args.get("lane") or None, open_only=request.args.get("open") == "1",
        state=state, limit=query_int("limit", 200, 1, 500))}


@endpoint(bp, "/alarm-settings", "GET", summary="Each alarm kind's and device trouble's severity, "
          "and how long an inspection may stay open before its lane is highlighted")
def alarm_settings() -> Any:
    return lane_server().alarms.settings.public()


def _changed(step: Callable[[], tuple[dict[str, Any], bool]], alarm_id: int) -> dict[str, Any]:
    """Run one lifecycle step; push the alarm to every board when it changed."""
    try:
        alarm, changed = step()
    except AlarmNotFound:
        raise not_found(f"alarm {alarm_id}") from None
    if changed:
        lane_server().feed.alarms([alarm])
    return {"alarm": alarm, "changed": changed}


@endpoint(bp, "/alarms/<int:alarm_id>/ack", "POST", roles=SUPERVISORS, body=NOTE_BODY, responses=_CHANGED,
          summary="Acknowledge an alarm with a note: who and when are kept in the alarm log; "
                  "acknowledging twice changes nothing")
def acknowledge(alarm_id: int, body: dict[str, Any]) -> Any:
    who = current_session().username
    return _changed(lambda: lane_server().alarms.acknowledge(alarm_id, who, body.get("note", "")), alarm_id)


@endpoint(bp, "/alarms/<int:alarm_id>/clear", "POST", roles=SUPERVISORS, body=NOTE_BODY, responses=_CHANGED,
          summary="Clear an acknowledged alarm (409 before it is acknowledged); clearing twice "
                  "changes nothing")
def clear(alarm_id: int, body: dict[str, Any]) -> Any:
    who = current_session().username
    return _changed(lambda: lane_server().alarms.clear(alarm_id, who, body.get("note", "")), alarm_id)


@endpoint(bp, "/alarms/<int:alarm_id>/assign", "POST", roles=SUPERVISORS, body=ASSIGN_BODY,
          responses={**_CHANGED, 400: "no such hub user"},
          summary="Assign an alarm to a hub user until it is cleared")
def assign(alarm_id: int, body: dict[str, Any]) -> Any:
    who = current_session().username
    return _changed(lambda: lane_server().alarms.assign(alarm_id, who, body["assignee"],
                                                        body.get("note", "")), alarm_id)


@endpoint(bp, "/alarms/lane/<lane>/ack", "POST", roles=SUPERVISORS, body=NOTE_BODY,
          responses={404: "no such lane"},
          summary="Acknowledge every unacknowledged alarm of a lane with one note")
def acknowledge_lane(lane: str, body: dict[str, Any]) -> Any:
    hub = lane_server()
    try:
        alarms = hub.alarms.acknowledge_lane(lane, current_session().username, body.get("note", ""))
    except AlarmNotFound:
        raise not_found(f"lane {lane}") from None
    hub.feed.alarms(alarms)
    return {"alarms": alarms}


@endpoint(bp, "/shelves", "GET", summary="Alarm sources shelved now: a lane's alarms of one kind, "
          "hidden from the board until the time runs out")
def list_shelves() -> Any:
    return {"shelves": lane_server().alarms.shelves()}


@endpoint(bp, "/shelves", "POST", roles=SUPERVISORS, body=SHELVE_BODY, status=201,
          responses={400: "not an alarm kind", 404: "no such lane",
                     409: "a kind never shelved (radiation alarms wait for the lane's adjudication)"},
          summary="Shelve a lane's alarms of one kind for some minutes (at most a day), with a reason")
def shelve(body: dict[str, Any]) -> Any:
    hub = lane_server()
    try:
        shelf = hub.alarms.shelve(body["lane"], body["kind"], body["minutes"], body["reason"],
                                  current_session().username)
    except AlarmNotFound:
        raise not_found(f"lane {body['lane']}") from None
    hub.feed.shelves(hub.alarms.shelves())
    return {"shelf": shelf}


@endpoint(bp, "/shelves/<int:shelf_id>/unshelve", "POST", roles=SUPERVISORS,
          responses={404: "no such shelf in force"}, summary="End a shelf before its time")
def unshelve(shelf_id: int) -> Any:
    hub = lane_server()
    try:
        shelf = hub.alarms.unshelve(shelf_id, current_session().username)
    except AlarmNotFound:
        raise not_found(f"shelf {shelf_id}") from None
    hub.feed.shelves(hub.alarms.shelves())
    return {"shelf": shelf}


@endpoint(bp, "/alarm-log", "GET", summary="The alarm log: every acknowledgement, clearing, assignment "
          "and shelf, with who and when, newest first",
          query={"q": {"type": "string", "description": "who did it, who it was assigned to, or the "
                                                        "alarm's case id (prefix)"},
                 "lane": {"type": "string", "description": "one lane"},
                 "from": {"type": "string", "description": "on or after this date (YYYY-MM-DD)"},
                 "to": {"type": "string", "description": "on or before this date (YYYY-MM-DD)"},
                 "limit": {"type": "integer", "description": f"1-{MAX_RESULTS}, default 100"}})
def alarm_log() -> Any:
    q = request.args.get("q") or None
    if q is not None and len(q) > 64:
        raise ApiError(400, "invalid_field", "q: at most 64 characters", field="q")
    return {"entries": lane_server().alarms.log(
        lane=request.args.get("lane") or None, q=q,
        since=parse_day("from", request.args.get("from")),
        until=parse_day("to", request.args.get("to"), end=True),
        limit=query_int("limit", 100, 1, MAX_RESULTS))}


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


@endpoint(bp, "/search", "GET", query=SEARCH_QUERY, consultation=consulted.BOARD_SEARCH,
          summary="Inspections and seizures of every lane by container, plate, document, bag, "
                  "lane and date")
def search_cases() -> Any:
    return {"cases": search(lane_server().store, **_search_args())}


@endpoint(bp, "/search.csv", "GET", query=SEARCH_QUERY, summary="The same search as CSV",
          consultation=consulted.BOARD_SEARCH_EXPORT)
def search_csv() -> Any:
    text = to_csv(search(lane_server().store, **_search_args()))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="lanebox-search.csv"'})


@endpoint(bp, "/cases/<lane>/<case_id>", "GET", consultation=consulted.BOARD_CASE,
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
