"""Live lane status, lane side: tell the hub what the lane looks like now.

The control room must see every lane live, and must notice a lane that
dies. So the lane reports its whole status — devices, sync backlog, open
inspections, recent trace alarms — as one small JSON document (see
:meth:`StatusReporter.collect`) to ``POST /api/v1/sync/<lane>/status``:
on every device_status change or trace alarm (debounced to ``min_gap``, so
a flapping device costs a few requests a second at most) and at least every
``interval`` seconds, which is the heartbeat the hub's "offline" rests on.

Each report is the whole state, so a lost one needs no retry: the next one
replaces it. Failures are logged once until the hub answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Callable

import requests

from common.clock import iso_utc
from common.eventlog.store import EventStore
from common.periodic import Periodic, PeriodicPart
from sync.lane.upstream import Upstream, as_upstream
from sync.protocol import status_path

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 5.0
DEFAULT_MIN_GAP_S = 0.25
ALARM_WINDOW_S = 300.0
"""Trace alarms this recent are reported (the control room acknowledges them there)."""
MAX_LISTED = 20
"""Most open inspections and alarms one report lists."""


class StatusReporter(PeriodicPart):
    """Reports one lane's status to the hub from a background thread.

    ``hub`` is the hub's URL or the lane's :class:`~sync.lane.upstream.Upstream`
    (asked before every report: the hub may be found, or move, later).
    ``devices`` returns the device manager's snapshot and ``sync_status``
    the sync agent's status; both are called on the reporter's thread.
    """

    def __init__(self, store: EventStore, lane_id: str, hub: str | Upstream, token: str, *,
                 devices: Callable[[], list[dict[str, Any]]],
                 sync_status: Callable[[], dict[str, Any]] | None = None,
                 interval: float = DEFAULT_INTERVAL_S, min_gap: float = DEFAULT_MIN_GAP_S,
                 clock: Callable[[], float] = time.time,
                 timeout: tuple[float, float] = (3.0, 5.0)) -> None:
        self.store = store
        self.lane_id = lane_id
        self._hub = as_upstream(hub)
        self._devices = devices
        self._sync_status = sync_status
        self._clock = clock
        self._timeout = timeout
        self._session = self._hub.session(token)
        self._alarms: deque[dict[str, Any]] = deque(maxlen=MAX_LISTED)
        self._alarms_lock = threading.Lock()
        self._failing = False
        self._periodic = Periodic(f"status-{lane_id}", self.send, interval, min_gap)

    def stop(self) -> None:
        super().stop()
        self._session.close()

    def observe(self, event: str, data: dict[str, Any]) -> None:
        """Called with every live message the lane publishes (device threads:
        cheap, never blocks): a device change or a trace alarm is reported soon."""
        if event == "device_status":
            self._periodic.wake()
        elif (event == "reading" and data.get("kind") == "trace"
              and (data.get("data") or {}).get("result") == "alarm"):
            reading = data["data"]
            with self._alarms_lock:
                self._alarms.append({"kind": "trace_alarm", "device_id": data.get("device_id"),
                                     "ts": data.get("ts"), "at": self._clock(),
                                     "sample_id": reading.get("sample_id"),
                                     "substances": reading.get("substances", [])})
            self._periodic.wake()

    def collect(self) -> dict[str, Any]:
        """The status document: ``{lane, ts, devices: [{id, kind, state, detail}],
        sync: the agent's status (backlog, acked_seq, ...) or None,
        inspections: open ones [{id, plate, started_at}], alarms: trace alarms
        of the last ALARM_WINDOW_S [{kind, device_id, ts, sample_id, substances}]}``."""
        now = self._clock()
        with self._alarms_lock:
            alarms = [{k: v for k, v in a.items() if k != "at"} for a in self._alarms
                      if now - a["at"] <= ALARM_WINDOW_S]
        return {
            "lane": self.lane_id,
            "ts": iso_utc(now),
            "devices": [{"id": d["id"], "kind": d["kind"], "state": d["state"],
                         "detail": d["detail"]} for d in self._devices()],
            "sync": self._sync_status() if self._sync_status else None,
            "inspections": self.store.query(
                "SELECT id, plate, started_at FROM inspections WHERE status != 'closed' "
                "ORDER BY started_at LIMIT ?", (MAX_LISTED,)),
            "alarms": alarms,
        }

    def send(self) -> bool:
        """Report once; True if the hub took it (False while no hub is known)."""
        base = self._hub.url()
        if base is None:
            return False
        try:
            response = self._session.post(base + status_path(self.lane_id), json=self.collect(),
                                          timeout=self._timeout)
            ok = response.status_code == 200
            problem = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
        except requests.RequestException as exc:
            ok, problem = False, f"{type(exc).__name__}: {exc}"
        if not ok and not self._failing:
            log.warning("lane %s: cannot report status to the hub: %s", self.lane_id, problem)
        elif ok and self._failing:
            log.info("lane %s: status reaches the hub again", self.lane_id)
        self._failing = not ok
        return ok
