"""One driver per configured device, and what the lane knows of each.

The manager is the only place where driver callbacks (on reader threads)
meet the rest of the server: it stamps each reading with a per-device
sequence number and UTC time, keeps the latest one and the counters, works
out the state tablets should see (a connected but locked or overdue device
is shown as such), and hands ``reading`` / ``device_status`` messages to a
publish function. It knows nothing of Flask or Socket.IO.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from drivers.base import CONNECTED, SerialDriver
from drivers.registry import lookup
from edge.config import DeviceConfig

Publish = Callable[[str, dict[str, Any]], None]

LOCKED = "locked"
#: readings kept per device for "attach what I saw": > 10 s of a 10 Hz scale
RECENT_READINGS = 128
CALIBRATION_DUE = "calibration_due"


def utc_now_iso() -> str:
    """ISO-8601 UTC with milliseconds, the CONTRACT's timestamp form."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class DeviceState:
    """Everything the lane knows about one device right now."""

    config: DeviceConfig
    driver: SerialDriver = field(init=False)
    seq: int = 0
    #: the last readings (CONTRACT `reading` messages) with their raw frames, so the reading an officer saw
    #: (by its seq) is the one recorded, even if newer ones have arrived since
    recent: deque[tuple[dict[str, Any], bytes]] = field(default_factory=lambda: deque(maxlen=RECENT_READINGS))
    locked: dict[str, Any] | None = None   # {"by", "reason", "at"} while locked
    calibration: dict[str, Any] = field(default_factory=lambda: {"status": "unknown", "due_at": None})

    @property
    def public_state(self) -> str:
        """What tablets see: a link problem first, then lock, then calibration."""
        if self.driver.state != CONNECTED:
            return self.driver.state
        if self.locked:
            return LOCKED
        if self.calibration.get("status") in ("due", "failed"):
            return CALIBRATION_DUE
        return CONNECTED

    @property
    def public_detail(self) -> str:
        if self.driver.state == CONNECTED and self.locked:
            return f"locked by {self.locked['by']}: {self.locked['reason']}"
        if self.driver.state == CONNECTED and self.public_state == CALIBRATION_DUE:
            return f"calibration {self.calibration['status']}" + (
                f" (due {self.calibration['due_at']})" if self.calibration.get("due_at") else "")
        return self.driver.state_detail

    @property
    def latest(self) -> dict[str, Any] | None:
        """The last reading message, or None before the first."""
        return self.recent[-1][0] if self.recent else None

    def reading(self, seq: int | None = None) -> tuple[dict[str, Any], bytes] | None:
        """The reading with ``seq`` (the latest if None) and its raw frame, if still kept."""
        if seq is None:
            return self.recent[-1] if self.recent else None
        return next(((m, raw) for m, raw in reversed(self.recent) if m["seq"] == seq), None)

    def status_message(self) -> dict[str, Any]:
        return {"device_id": self.config.id, "state": self.public_state, "detail": self.public_detail}

    def describe(self) -> dict[str, Any]:
        """The device as the API lists it."""
        cfg = self.config
        return {
            "id": cfg.id, "kind": cfg.kind, "driver": cfg.driver, "port": cfg.port,
            "serial": {"baudrate": cfg.serial.baudrate, "bytesize": cfg.serial.bytesize,
                       "parity": cfg.serial.parity, "stopbits": cfg.serial.stopbits,
                       "xonxoff": cfg.serial.xonxoff, "rtscts": cfg.serial.rtscts},
            "state": self.public_state, "detail": self.public_detail,
            "link_state": self.driver.state,
            "identity": dict(self.driver.identity),
            "counters": self.driver.counters.as_dict(),
            "last_reading": self.latest,
            "locked": self.locked,
            "calibration": dict(self.calibration),
        }


class DeviceManager:
    """Starts, stops and watches the lane's devices."""

    def __init__(self, devices: tuple[DeviceConfig, ...] | list[DeviceConfig], publish: Publish) -> None:
        self._publish = publish
        self._lock = threading.Lock()
        self.devices: dict[str, DeviceState] = {}
        for cfg in devices:
            self.devices[cfg.id] = self._make_state(cfg)

    def _make_state(self, cfg: DeviceConfig) -> DeviceState:
        state = DeviceState(config=cfg)
        state.driver = lookup(cfg.driver).driver_class()(
            cfg.port, cfg.serial,
            lambda data, raw: self._on_reading(state, data, raw),
            lambda _state, _detail: self._on_status(state),
            device_id=cfg.id)
        return state

    def start(self) -> None:
        for state in self.devices.values():
            state.driver.start()

    def stop(self) -> None:
        for state in self.devices.values():
            state.driver.stop()

    def get(self, device_id: str) -> DeviceState | None:
        return self.devices.get(device_id)

    def snapshot(self) -> list[dict[str, Any]]:
        return [state.describe() for state in self.devices.values()]

    def initial_messages(self) -> list[tuple[str, dict[str, Any]]]:
        """What a tablet gets at connect: every device's state and last reading."""
        messages: list[tuple[str, dict[str, Any]]] = []
        for state in self.devices.values():
            messages.append(("device_status", state.status_message()))
            if state.latest is not None:
                messages.append(("reading", state.latest))
        return messages

    # ----- overlays set by the API / calibration records -----------------
    def set_locked(self, device_id: str, lock: dict[str, Any] | None) -> None:
        state = self.devices[device_id]
        with self._lock:
            state.locked = lock
        self._publish("device_status", state.status_message())

    def set_calibration(self, device_id: str, calibration: dict[str, Any]) -> None:
        """Record the device's calibration standing; tablets hear of a change."""
        state = self.devices[device_id]
        with self._lock:
            changed = state.calibration != calibration
            state.calibration = dict(calibration)
        if changed:
            self._publish("device_status", state.status_message())

    # ----- driver callbacks (reader threads) -----------------------------
    def _on_reading(self, state: DeviceState, data: dict[str, Any], raw: bytes) -> None:
        with self._lock:
            state.seq += 1
            message = {"device_id": state.config.id, "kind": state.config.kind, "seq": state.seq,
                       "ts": utc_now_iso(), "data": data}
            state.recent.append((message, raw))
        self._publish("reading", message)

    def _on_status(self, state: DeviceState) -> None:
        self._publish("device_status", state.status_message())
