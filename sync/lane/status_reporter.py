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

Each report also says what the lane's own verification of its store found
(:mod:`common.eventlog.watch`, run by the reporter at start and then every
``interval`` while it costs under a tenth of the time): whole or broken at
which seq, and the head it verified (seq and hash). The hub compares that
head with its copy, so an event edited in the lane's file after it was synced
raises a board alarm within about one interval, though no event is re-sent.

Every field is clipped to the bounds the hub holds it to
(:data:`sync.protocol.STATUS_SCHEMA`), and only the fields it names are
sent: a device's long error text must never cost the lane its heartbeat.
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
from common.eventlog.watch import ChainWatch, Checked
from common.periodic import Periodic, PeriodicPart
from sync.lane.upstream import Upstream, as_upstream
from sync.protocol import MAX_STATUS_LISTED, MAX_STATUS_NAME, MAX_STATUS_TEXT, MAX_SUBSTANCES, status_path

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 5.0
DEFAULT_MIN_GAP_S = 0.25
ALARM_WINDOW_S = 300.0
"""Trace alarms this recent are reported (the control room acknowledges them there)."""
MAX_LISTED = 20
"""Most open inspections and alarms one report lists."""
SYNC_FIELDS = ("state", "acked_seq", "lane_seq", "backlog", "oldest_unsent_age_s", "last_success",
               "consecutive_failures")
"""The sync agent's status fields a report carries as they are (besides upstream and last_error)."""


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
                 label_keys: Callable[[], list[dict[str, Any]]] = list,
                 interval: float = DEFAULT_INTERVAL_S, min_gap: float = DEFAULT_MIN_GAP_S,
                 clock: Callable[[], float] = time.time,
                 timeout: tuple[float, float] = (3.0, 5.0)) -> None:
        self.store = store
        self.lane_id = lane_id
        self._hub = as_upstream(hub)
        self._devices = devices
        self._sync_status = sync_status
        self._label_keys = label_keys
        self._clock = clock
        self._timeout = timeout
        self._session = self._hub.session(token)
        self._alarms: deque[dict[str, Any]] = deque(maxlen=MAX_LISTED)
        self._alarms_lock = threading.Lock()
        self._failing = False
        self._periodic = Periodic(f"status-{lane_id}", self.send, interval, min_gap)
        self.chain_watch = ChainWatch(store, interval=interval, on_change=lambda checked: self.wake(),
                                      clock=clock)

    def start(self) -> "StatusReporter":
        self.chain_watch.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self.chain_watch.stop()
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
        """The status document (:data:`sync.protocol.STATUS_SCHEMA`): ``{lane, ts,
        devices: [{id, kind, state, detail}], sync: the agent's status (backlog,
        acked_seq, ...) or None, inspections: open ones [{id, plate, started_at}],
        alarms: trace alarms of the last ALARM_WINDOW_S [{kind, device_id, ts,
        sample_id, substances}], chain: the last verification of the store
        (state, head) and the stored hash at the hub's ack, or None before the
        first, label_keys: the public keys the lane signs evidence labels with,
        as the hub registers them}``, every text clipped to its bound."""
        now = self._clock()
        with self._alarms_lock:
            alarms = [_alarm(a) for a in self._alarms if now - a["at"] <= ALARM_WINDOW_S]
        sync = self._sync_status() if self._sync_status else None
        return {
            "lane": self.lane_id,
            "ts": iso_utc(now),
            "devices": [{"id": _name(d["id"]), "kind": _name(d["kind"]), "state": _clip(d["state"], 64),
                         "detail": _text(d["detail"])} for d in self._devices()[:MAX_STATUS_LISTED]],
            "sync": _sync(sync) if sync is not None else None,
            "inspections": [{"id": _name(row["id"]), "plate": _name(row["plate"]), "started_at": row["started_at"]}
                            for row in self.store.query(
                                "SELECT id, plate, started_at FROM inspections WHERE status != 'closed' "
                                "ORDER BY started_at LIMIT ?", (MAX_LISTED,))],
            "alarms": alarms,
            "chain": _chain(self.chain_watch.latest(), self._link((sync or {}).get("acked_seq"))),
            "label_keys": self._label_keys()[-MAX_STATUS_LISTED:],
        }

    def _link(self, seq: int | None) -> dict[str, Any] | None:
        """The lane's stored hash at ``seq`` (the hub's last ack): a log rewritten
        and re-hashed since shows here even while new events keep the verified
        head beyond what the hub holds."""
        event = self.store.get_seq(seq) if seq else None
        return {"seq": seq, "hash": event["hash"]} if event else None

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


def _clip(value: Any, limit: int) -> str | None:
    """``value`` as text of at most ``limit`` characters (None stays None)."""
    return None if value is None else str(value)[:limit]


def _name(value: Any) -> str | None:
    return _clip(value, MAX_STATUS_NAME)


def _text(value: Any) -> str | None:
    return _clip(value, MAX_STATUS_TEXT)


def _alarm(alarm: dict[str, Any]) -> dict[str, Any]:
    """A trace alarm as reported: its named fields, each clipped."""
    return {"kind": alarm["kind"], "device_id": _name(alarm["device_id"]), "ts": _clip(alarm["ts"], 64),
            "sample_id": _name(alarm["sample_id"]),
            "substances": [{"name": _name(s.get("name")), "class": _name(s.get("class")),
                            "amplitude": s.get("amplitude"), "k0": s.get("k0")}
                           for s in alarm["substances"][:MAX_SUBSTANCES]]}


def _sync(status: dict[str, Any]) -> dict[str, Any]:
    """The sync agent's status, cut to the fields the protocol names."""
    upstream, error = status.get("upstream"), status.get("last_error")
    return {**{key: status[key] for key in SYNC_FIELDS if key in status},
            "upstream": upstream and {"source": _clip(upstream.get("source"), 16),
                                      "url": _clip(upstream.get("url"), 2048)},
            "last_error": error and {"at": error.get("at"), "message": _text(error.get("message"))}}


def _chain(checked: Checked | None, acked: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the last verification of the store found, and the hash the lane holds
    at the hub's ack, as the hub compares them with its copy."""
    if checked is None:
        return None
    report = checked.report
    state = "whole" if report.ok else "broken" if report.first_broken_seq is not None else "records_differ"
    return {"state": state, "verified_at": checked.at, "checked": report.checked,
            "broken_at": report.first_broken_seq, "reason": _text(report.reason),
            "head": {"seq": report.head_seq, "hash": report.head_hash}, "acked": acked}
