"""Live lane status at the hub: what each lane last reported, and who is silent.

Lanes ``POST /api/v1/sync/<lane>/status`` (their own sync token) every few
seconds and on every device change (:mod:`sync.status_reporter`). The hub
answers from memory — the control-room board polls this often — and also
keeps each lane's latest status in the store's ``lane_status`` table, so a
restarted hub still lists what every lane last said and when.

A lane is ``online`` while its last status is younger than the hub's
``offline_after_s``: silence, not a goodbye, is what a dead lane or a cut
cable looks like, so staleness is the only test.

``GET /api/v1/hub/lanes`` is public for now, like the hub's loopback
default; it needs a hub user's token once hub users exist.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from flask import Blueprint, current_app

from edge.api.errors import ApiError
from edge.api.routing import json_body, obj
from edge.users import iso_utc
from sync.hub_store import HubStore, StoreError
from sync.protocol import API_PREFIX
from sync.receiver import authenticated_store

bp = Blueprint("hub_lanes", __name__)

EXTENSION = "lanebox_hub_lanes"
MAX_ITEMS = 100
_TEXT = {"type": ["string", "null"], "maxLength": 500}
_ITEM = {"type": "object", "maxProperties": 20}
STATUS_SCHEMA = obj({
    "lane": {"type": "string", "maxLength": 64},
    "ts": {"type": "string", "maxLength": 64},
    "devices": {"type": "array", "maxItems": MAX_ITEMS, "items": obj(
        {"id": _TEXT, "kind": _TEXT, "state": _TEXT, "detail": _TEXT}, ("id", "state"))},
    "sync": {"type": ["object", "null"], "maxProperties": 20},
    "inspections": {"type": "array", "maxItems": MAX_ITEMS, "items": _ITEM},
    "alarms": {"type": "array", "maxItems": MAX_ITEMS, "items": _ITEM},
}, required=("lane", "ts", "devices"))


class LaneBoard:
    """The latest status of every lane, in memory and in the hub store.

    ``clock`` (epoch seconds) dates what is heard and judges silence.
    """

    def __init__(self, store: HubStore, offline_after_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.offline_after_s = offline_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[dict[str, Any], float]] = store.lane_statuses()

    def report(self, lane: str, status: dict[str, Any]) -> None:
        """Keep ``status`` as the lane's latest, heard now."""
        seen_at = self._clock()
        self.store.save_lane_status(lane, status, seen_at)
        with self._lock:
            self._latest[lane] = (status, seen_at)

    def lanes(self) -> list[dict[str, Any]]:
        """Every registered lane: online, last status and when, acked seq, backlog."""
        now = self._clock()
        cursors = self.store.cursors()
        with self._lock:
            latest = dict(self._latest)
        rows = []
        for lane in self.store.lanes():
            status, seen_at = latest.get(lane, (None, None))
            sync = (status or {}).get("sync") or {}
            rows.append({
                "lane": lane,
                "online": seen_at is not None and now - seen_at < self.offline_after_s,
                "last_seen": iso_utc(seen_at) if seen_at is not None else None,
                "acked_seq": cursors.get(lane, 0),
                "backlog": sync.get("backlog"),
                "status": status,
            })
        return rows


def _board() -> LaneBoard:
    return current_app.extensions[EXTENSION]


@bp.post(f"{API_PREFIX}/<lane>/status")
def report_status(lane: str) -> Any:
    """A lane's live status (its own token); answered once kept."""
    authenticated_store(lane)
    status = json_body(STATUS_SCHEMA)
    if status["lane"] != lane:
        raise ApiError(400, "invalid_field", f"lane: {status['lane']!r} is not {lane!r}",
                       field="lane")
    try:
        _board().report(lane, status)
    except StoreError as exc:
        raise ApiError(503, "unavailable", f"the hub could not keep the status: {exc}") from None
    return {"ok": True}


@bp.get("/api/v1/hub/lanes")
def list_lanes() -> Any:
    """Every registered lane with its live status (public for now: see the module doc)."""
    board = _board()
    return {"offline_after_s": board.offline_after_s, "lanes": board.lanes()}
