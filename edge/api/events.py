"""The evidence log, read-only: page through events, fetch one, verify the chain."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, request

from common.web.errors import ApiError, not_found
from common.web.routing import endpoint, lane_server, query_int
from edge import consultations as consulted

bp = Blueprint("events", __name__, url_prefix="/api/v1")

EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


@endpoint(bp, "/events", "GET", summary="Page through events in seq order",
          query={"after": {"type": "integer", "description": "return events with seq greater than this"},
                 "limit": {"type": "integer", "description": "at most this many (1-1000, default 100)"},
                 "type": {"type": "string", "description": "only events of this type (repeat for several)"}},
          consultation=consulted.EVENTS_EXPORT)
def list_events() -> Any:
    after = query_int("after", 0)
    limit = query_int("limit", 100, 1, 1000)
    types = request.args.getlist("type") or None
    for t in types or ():
        if not EVENT_TYPE.match(t):
            raise ApiError(400, "invalid_field", f"type: {t!r} is not an event type", field="type")
    store = lane_server().store
    try:
        events = store.page(after_seq=after, limit=limit, types=types)
    except ValueError as exc:  # e.g. too many types
        raise ApiError(400, "invalid_field", f"type: {exc}", field="type") from None
    return {"events": events, "next_after": events[-1]["seq"] if events else after,
            "last_seq": store.last_seq()}


@endpoint(bp, "/events/<event_id>", "GET", summary="One event by its id", consultation=consulted.EVENTS_EXPORT)
def get_event(event_id: str) -> Any:
    event = lane_server().store.get(event_id)
    if event is None:
        raise not_found(f"event {event_id!r}")
    return event


@endpoint(bp, "/chain", "GET", summary="Verify the hash chain of the whole log")
def verify_chain() -> Any:
    report = lane_server().store.verify()
    return {"ok": report.ok, "checked": report.checked, "first_broken_seq": report.first_broken_seq,
            "reason": report.reason}
