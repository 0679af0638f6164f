"""Officer writes as events with client-made ids: the tablet's outbox contract.

The tablet makes a UUID when the officer acts and sends it as ``id``; it
becomes the event id. A lost answer is retried with the same id and body,
so a write must be idempotent: the same id with the same request returns
the first event (HTTP 200, nothing written), the same id with another
request is refused (409 ``id_reused``). Every event written here keeps the
request verbatim under ``payload.request`` — what the tablet sent — beside
what the server made of it; replays are judged on that.

Time: the event's ``ts`` is when the box received the write, so the log's
order is the box's and no tablet can date a record before its inspection
began or into the year 9999. When the tablet acted is its claim, ``ts`` in
the request: kept as ``payload.acted_at``, and only believed within
bounds — at most ``MAX_AHEAD_S`` after the box's time (clocks drift) and at
most ``MAX_OFFLINE_S`` before it (the longest a tablet's outbox is expected
to hold a write); outside them the write is refused (400 ``ts_out_of_range``,
the outbox keeps it aside with the message). Views show ``acted_at`` where
it differs from ``ts`` by more than a minute (edge.inspections.view.acted_at).

The checks that decide whether a write is allowed (is the inspection still
open? is this custody step in order?) run inside the write transaction, on
the store's writer thread, with the write lock held: nothing else can be
written between the check and the event, and a twin of this request that
raced in first is found there and answered as a replay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from common.clock import iso_utc, parse_iso, utc_now
from common.eventlog.store import ConflictError, EventStore, InvalidEvent
from common.web.errors import ApiError, conflict
from common.web.routing import current_session, lane_server

UUID = {"type": "string",
        "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}
TS = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$",
      "description": "when the officer acted (ISO-8601 UTC): kept as payload.acted_at, within "
                     "5 minutes after and 7 days before the box's time"}
MAX_AHEAD_S = 300
MAX_OFFLINE_S = 7 * 24 * 3600
#: the fields every officer write carries, for schemas made with ``obj``
WRITE_FIELDS = {"id": UUID, "ts": TS}

#: ``payload_for(request) -> payload``; runs on the writer thread (no Flask
#: request context: capture what it needs), raises ApiError to refuse
PayloadBuilder = Callable[[dict[str, Any]], dict[str, Any]]


def write(event_id: str, request: dict[str, Any], event_type: str,
          payload_for: PayloadBuilder) -> tuple[dict[str, Any], bool]:
    """Store one officer write idempotently; returns ``(event, created)``.

    ``request`` is what identifies the write besides its id: the body
    without ``id`` plus any path parameters (the same body sent to another
    inspection is another request). ``ts`` in it becomes the event's time.
    """
    store: EventStore = lane_server().store
    actor = current_session().username
    event_id = event_id.lower()
    existing = store.get(event_id)
    if existing is not None:  # the common replay: answered without the writer
        return judge_replay(existing, event_type, request), False
    acted_at = _checked_claim(request.get("ts"))

    def write_in(conn: sqlite3.Connection) -> tuple[dict[str, Any], bool]:
        twin = store.get(event_id)  # under the write lock: a raced-in twin is here
        if twin is not None:
            return judge_replay(twin, event_type, request), False
        payload = {"request": request, **payload_for(request)}
        if acted_at is not None:
            payload["acted_at"] = acted_at
        return store.append_in(conn, event_type, payload, actor, id=event_id).event, True

    try:
        return store.run_write(write_in)
    except ConflictError as exc:  # a twin in the same group commit, not yet visible to readers
        return judge_replay(exc.existing, event_type, request), False
    except InvalidEvent as exc:
        raise ApiError(400, "invalid_request", f"cannot store this: {exc}") from None


def judge_replay(existing: dict[str, Any], event_type: str, request: dict[str, Any]) -> dict[str, Any]:
    """The stored event if it is this very request again; else 409 ``id_reused``."""
    if existing["type"] != event_type or existing["payload"].get("request") != request:
        raise conflict(f"id {existing['id']} was already used for another request", "id_reused")
    return existing


def status(created: bool) -> int:
    """201 for a new event, 200 for a replay answered from the store."""
    return 201 if created else 200


def request_fields(body: dict[str, Any], **path: str) -> dict[str, Any]:
    """The request as replays are compared: path parameters and the body but ``id``."""
    return {**path, **{k: v for k, v in body.items() if k != "id"}}


def _checked_claim(ts: str | None) -> str | None:
    if ts is None:
        return None
    try:
        claimed = parse_iso(ts)
    except ValueError:
        raise ApiError(400, "invalid_field", f"ts: {ts!r} is not a real date and time", field="ts") from None
    now = utc_now()
    if not now - timedelta(seconds=MAX_OFFLINE_S) <= claimed <= now + timedelta(seconds=MAX_AHEAD_S):
        raise ApiError(400, "ts_out_of_range", f"ts: {ts} is not believable at {iso_utc(now)} (this box's "
                       "time): it may be at most 5 minutes ahead and 7 days behind; check the tablet's clock",
                       field="ts")
    return ts
