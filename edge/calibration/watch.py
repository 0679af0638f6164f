"""Keeping every device's calibration standing current while the lane runs."""

from __future__ import annotations

from common.clock import Clock
from common.eventlog.store import EventStore
from common.periodic import Periodic
from edge.calibration.status import calibration_status
from edge.devices.manager import DeviceManager


class CalibrationWatch:
    """Keeps every device's calibration standing current: after each record,
    and every minute, because a calibration falls due with the passing of
    time, not with an event. ``clock`` is what standing is judged against."""

    def __init__(self, store: EventStore, devices: DeviceManager, clock: Clock) -> None:
        self._store = store
        self._devices = devices
        self._clock = clock
        self._periodic = Periodic("calibration-clock", self.refresh, interval=60.0)

    def refresh(self) -> None:
        """Work out each device's standing from its records and interval; a
        device that becomes overdue shows ``calibration_due``."""
        now = self._clock()
        for device_id, state in self._devices.devices.items():
            records = self._store.query("SELECT id, at, kind, passed, due_at FROM calibrations "
                                        "WHERE device_id = ? ORDER BY at, rowid", (device_id,))
            self._devices.set_calibration(
                device_id, calibration_status(records, state.config.calibration_interval_days, now))

    def start(self) -> None:
        self.refresh()
        self._periodic.start()

    def stop(self) -> None:
        self._periodic.stop()
