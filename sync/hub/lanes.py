"""Live lane status at the hub: what each lane last reported, and who is silent.

Lanes ``POST /api/v1/sync/<lane>/status`` (their own sync token) every few
seconds and on every device change (:mod:`sync.lane.status_reporter`). The hub
answers from memory — boards ask often — and also keeps each lane's latest
status in the store's ``lane_status`` table, so a restarted hub still lists
what every lane last said and when. A status is pushed to the boards from
the very request that brought it (:mod:`sync.hub.live`), with any live
trace alarm it carries raised first (:mod:`sync.hub.alarms`).

A lane is ``online`` while its last status is younger than the hub's
``offline_after_s``: silence, not a goodbye, is what a dead lane or a cut
cable looks like, so staleness is the only test; :meth:`LaneBoard.flipped`
finds the lanes whose standing changed, for the hub to push.

``GET /api/v1/hub/lanes`` needs a hub user's token; it also lists lanes
heard on mDNS that are not registered yet. A status names the public keys
the lane signs evidence labels with (:mod:`sync.labels`); a lane may report
keys of its own lane only, and :mod:`sync.hub.lane_keys` serves the port's.

``POST /api/v1/sync/<lane>/identity`` is how a lane tells its hub from a
stranger announcing itself on the network before it sends its token: the
hub signs the lane's nonce with its key (:mod:`sync.hub.identity`), and the
lane checks the signature against the key it pinned at registration. The
hub signs the address the challenge reached it at too, so a stranger who
relays a lane's challenge to the hub cannot pass the answer off as its own.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from flask import Blueprint, request

from common.clock import iso_utc
from common.web.errors import ApiError
from common.web.routing import PUBLIC, endpoint, lane_server, obj
from sync.hub.identity import arrived_at, current_identity
from sync.hub.receiver import LANE_TOKEN
from sync.hub.store import HubStore, StoreError
from sync.identity import NONCE_PATTERN
from sync.protocol import API_PREFIX, STATUS_SCHEMA, identity_path

bp = Blueprint("hub_lanes", __name__)


class LaneBoard:
    """The latest status of every lane, in memory and in the hub store.

    ``clock`` (epoch seconds) dates what is heard and judges silence;
    ``heard`` lists the lanes discovery hears on the network.
    """

    def __init__(self, store: HubStore, offline_after_s: float,
                 clock: Callable[[], float] = time.time,
                 heard: Callable[[], list[Any]] = list) -> None:
        self.store = store
        self.offline_after_s = offline_after_s
        self._clock = clock
        self._heard = heard
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[dict[str, Any], float]] = store.lane_statuses()
        self._shown_online: dict[str, bool] = {}

    def report(self, lane: str, status: dict[str, Any]) -> None:
        """Keep ``status`` as the lane's latest, heard now."""
        seen_at = self._clock()
        self.store.save_lane_status(lane, status, seen_at)
        with self._lock:
            self._latest[lane] = (status, seen_at)

    def _refresh(self) -> None:
        """Take in what the store holds: with several hub workers, a lane may
        have reported to another one."""
        stored = self.store.lane_statuses()
        with self._lock:
            for lane, (status, seen_at) in stored.items():
                if lane not in self._latest or self._latest[lane][1] < seen_at:
                    self._latest[lane] = (status, seen_at)

    def lanes(self) -> list[dict[str, Any]]:
        """Every registered lane: online, last status and when, acked seq, backlog."""
        self._refresh()
        cursors = self.store.cursors()
        return [self._row(lane, cursors.get(lane, 0)) for lane in self.store.lanes()]

    def lane(self, lane: str) -> dict[str, Any]:
        """One lane's row, as :meth:`lanes` lists it."""
        return self._row(lane, self.store.cursor(lane))

    def _row(self, lane: str, acked: int) -> dict[str, Any]:
        with self._lock:
            status, seen_at = self._latest.get(lane, (None, None))
        sync = (status or {}).get("sync") or {}
        online = seen_at is not None and self._clock() - seen_at < self.offline_after_s
        with self._lock:
            self._shown_online[lane] = online
        return {
            "lane": lane,
            "online": online,
            "last_seen": iso_utc(seen_at) if seen_at is not None else None,
            "acked_seq": acked,
            "backlog": sync.get("backlog"),
            "status": status,
        }

    def flipped(self) -> list[dict[str, Any]]:
        """Rows of the lanes that went online or offline since last shown."""
        self._refresh()
        now = self._clock()
        with self._lock:
            changed = [lane for lane, shown in self._shown_online.items()
                       if shown != (lane in self._latest
                                    and now - self._latest[lane][1] < self.offline_after_s)]
        return [self.lane(lane) for lane in changed]

    def unregistered(self) -> list[dict[str, Any]]:
        """Lanes heard on mDNS that the hub has not registered: ``[{lane, url}]``."""
        registered = set(self.store.lanes())
        return sorted(({"lane": s.lane, "url": s.url} for s in self._heard()
                       if s.role == "lane" and s.lane and s.lane not in registered),
                      key=lambda row: row["lane"])


@endpoint(bp, f"{API_PREFIX}/<lane>/status", "POST", token=LANE_TOKEN, body=STATUS_SCHEMA,
          summary="The lane's live status: devices, sync backlog, open inspections, trace alarms, its "
                  "own verification of its log; answered once kept and pushed to the boards (every field "
                  "bounded: a report out of bounds is refused whole)",
          responses={503: "the hub could not keep the status; the lane sends its next one"})
def report_status(lane: str, body: dict[str, Any]) -> Any:
    if body["lane"] != lane:
        raise ApiError(400, "invalid_field", f"lane: {body['lane']!r} is not {lane!r}",
                       field="lane")
    for i, key in enumerate(body.get("label_keys", [])):
        if key["lane"] != lane:  # a lane vouches for its own labels only
            raise ApiError(400, "invalid_field", f"label_keys.{i}.lane: {key['lane']!r} is not {lane!r}",
                           field=f"label_keys.{i}.lane")
    hub = lane_server()
    try:
        hub.board.report(lane, body)
        raised = hub.alarms.from_status(lane, body)
    except StoreError as exc:
        raise ApiError(503, "unavailable", f"the hub could not keep the status: {exc}") from None
    hub.feed.alarms(raised)
    hub.feed.lane(hub.board.lane(lane))
    return {"ok": True}


@endpoint(bp, identity_path("<lane>"), "POST", roles=PUBLIC,
          body=obj({"nonce": {"type": "string", "pattern": NONCE_PATTERN}},
                   required=("nonce",)),
          summary="The hub proves it holds its key: it signs the lane's nonce (no token: the lane "
                  "asks before it sends one)")
def prove_identity(lane: str, body: dict[str, Any]) -> Any:
    identity, at = current_identity(), arrived_at(request.environ)
    return {"hub": lane_server().hub_id, "key": identity.public_text, "at": at,
            "signature": identity.prove(lane, body["nonce"], at)}


@endpoint(bp, "/api/v1/hub/lanes", "GET", summary="Every registered lane with its live status, "
          "and lanes heard on the network but not registered")
def list_lanes() -> Any:
    board = lane_server().board
    return {"offline_after_s": board.offline_after_s, "lanes": board.lanes(),
            "unregistered": board.unregistered()}
