"""The calibrations and checks in progress on the lane, and their records.

A calibration is in memory while the technician works through it (a lane
restart abandons it: nothing half-done is ever recorded); when it is
complete its whole session — every reading with its raw line, every error
and limit, the verdicts — becomes one ``calibration.recorded`` event, and
the device's calibration standing is worked out again. One session per
device at a time: starting another abandons the first.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, Callable

from common.clock import Clock, iso_utc, utc_now
from common.eventlog.store import EventStore
from edge.calibration.checks import ETD_DAILY, ETD_VALID_HOURS, DeviceCheck
from edge.calibration.scale import ScaleCalibration

Session = ScaleCalibration | DeviceCheck


class CalibrationDesk:
    """Open sessions by id; ``on_recorded`` runs after each record is stored.
    ``clock`` dates a daily check's ``due_at`` (the lane's, so a test can move it)."""

    def __init__(self, store: EventStore, on_recorded: Callable[[], None],
                 clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._on_recorded = on_recorded
        self._lock = threading.RLock()
        self._open: dict[str, Session] = {}
        self.recorded: dict[str, dict[str, Any]] = {}  # session id → its event, for a screen polling late

    def open(self, session: Session) -> Session:
        with self._lock:
            for other in [s for s in self._open.values() if s.device_id == session.device_id]:
                del self._open[other.id]
            self._open[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._open.get(session_id)

    def abandon(self, session_id: str) -> bool:
        with self._lock:
            return self._open.pop(session_id, None) is not None

    def offer(self, message: dict[str, Any]) -> None:
        """A device reading (any thread): a check waiting for it takes it."""
        with self._lock:
            checks = [s for s in self._open.values() if isinstance(s, DeviceCheck) and s.offer(message)]
            for check in checks:
                if check.complete:
                    self.finish(check, check.started_by)

    def finish(self, session: Session, actor: str) -> dict[str, Any]:
        """Record a complete session as a ``calibration.recorded`` event."""
        with self._lock:
            payload: dict[str, Any] = {"device_id": session.device_id, "kind": session.kind,
                                       "passed": bool(session.passed), "session_id": session.id,
                                       "record": session.as_dict()}
            if session.kind == ETD_DAILY:
                due = self._clock() + timedelta(hours=ETD_VALID_HOURS)
                payload["due_at"] = iso_utc(due, "seconds")
            event = self._store.append("calibration.recorded", payload, actor).event
            self._open.pop(session.id, None)
            self.recorded[session.id] = event
        self._on_recorded()
        return event
