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
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from common.clock import utc_now_iso
from drivers.base import CONNECTED, ReadingCallback, SerialDriver, StatusCallback
from drivers.registry import lookup
from edge.calibration.status import describe as describe_calibration
from edge.config import DeviceConfig

Publish = Callable[[str, dict[str, Any]], None]
#: (device_id, "in"|"out", bytes): a technician's raw console
Traffic = Callable[[str, str, bytes], None]

LOCKED = "locked"
#: readings kept per device for "attach what I saw": > 10 s of a 10 Hz scale
RECENT_READINGS = 128
CALIBRATION_DUE = "calibration_due"


def make_driver(cfg: DeviceConfig, on_reading: ReadingCallback, on_status: StatusCallback,
                device_id: str) -> SerialDriver:
    """The driver ``cfg`` names, on its port and settings (and, for the stream driver, its frame) —
    what the lane runs and what "test connection" tries, built the same way."""
    options = {key: value for key, value in (("frame", cfg.frame), ("registers", cfg.registers)) if value is not None}
    return lookup(cfg.driver).driver_class()(cfg.port, cfg.serial, on_reading, on_status, device_id=device_id,
                                             **options)


@dataclass
class DeviceState:
    """Everything the lane knows about one device right now."""

    config: DeviceConfig
    driver: SerialDriver = field(init=False)
    seq: int = 0
    #: the last readings (`reading` messages, docs/contract.md) with their raw frames, so the reading an officer saw
    #: (by its seq) is the one recorded, even if newer ones have arrived since
    recent: deque[tuple[dict[str, Any], bytes]] = field(default_factory=lambda: deque(maxlen=RECENT_READINGS))
    locked: dict[str, Any] | None = None   # {"by", "reason", "at"} while locked
    calibration: dict[str, Any] = field(default_factory=lambda: {"status": "unknown", "due_at": None})
    tap: Callable[[str, bytes], None] | None = None  # the raw-console listener on the driver, while watched

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
            return describe_calibration(self.calibration)
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
        """The ``device_status`` message of docs/contract.md (with the device's ``kind``, so a
        tablet can place a device it has not had a reading from yet)."""
        return {"device_id": self.config.id, "kind": self.config.kind, "use": self.config.use,
                "state": self.public_state, "detail": self.public_detail}

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
            "calibration_interval_days": cfg.calibration_interval_days,
            "use": cfg.use,
            "frame": cfg.frame.as_table() if cfg.frame is not None else None,
            "registers": cfg.registers.as_table() if cfg.registers is not None else None,
            "commands": callable(getattr(self.driver, "send_command", None)),
        }


class DeviceManager:
    """Starts, stops and watches the lane's devices."""

    def __init__(self, devices: tuple[DeviceConfig, ...] | list[DeviceConfig], publish: Publish,
                 traffic: Traffic | None = None) -> None:
        self._publish = publish
        self._traffic = traffic
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # a reading came in (for wait_reading)
        self._tapped: set[str] = set()
        self._running = False
        # replaced whole, never changed in place: readers on other threads iterate it without a lock
        self.devices: dict[str, DeviceState] = {}
        for cfg in devices:
            self.devices[cfg.id] = self._make_state(cfg)

    def _make_state(self, cfg: DeviceConfig) -> DeviceState:
        state = DeviceState(config=cfg)
        state.driver = make_driver(cfg, lambda data, raw: self._on_reading(state, data, raw),
                                   lambda _state, _detail: self._on_status(state), cfg.id)
        if cfg.id in self._tapped:
            self._attach_tap(state)
        return state

    def start(self) -> None:
        self._running = True
        for state in self.devices.values():
            state.driver.start()

    # ----- devices added, changed, removed at run time ---------------------
    def put(self, cfg: DeviceConfig) -> DeviceState:
        """Add a device, or replace one with the same id (its driver restarts on
        the new settings; lock and calibration standing stay with the id)."""
        old = self.devices.get(cfg.id)
        if old is not None:
            old.driver.stop()
        state = self._make_state(cfg)
        if old is not None:
            state.locked, state.calibration = old.locked, old.calibration
        with self._lock:
            self.devices = {**self.devices, cfg.id: state}
            self._arrived.notify_all()
        if self._running:
            state.driver.start()
        self._publish("device_status", state.status_message())
        return state

    def remove(self, device_id: str) -> None:
        """Stop and forget a device; tablets hear that it is gone."""
        with self._lock:
            state = self.devices.get(device_id)
            self.devices = {k: v for k, v in self.devices.items() if k != device_id}
            self._arrived.notify_all()
        if state is not None:
            state.driver.stop()
            self._publish("device_status", {**state.status_message(), "state": "disconnected",
                                            "detail": "removed from the lane"})

    def restart(self, device_id: str) -> None:
        """Stop the driver and start it again: the port is reopened and the device identified anew."""
        state = self.devices[device_id]
        state.driver.stop()
        if self._running:
            state.driver.start()

    # ----- the raw console -------------------------------------------------
    def set_tap(self, device_id: str, on: bool) -> None:
        """Pass the device's raw traffic to ``traffic`` (only while someone watches: it costs per byte)."""
        state = self.devices.get(device_id)
        if on:
            self._tapped.add(device_id)
            if state is not None and state.tap is None:
                self._attach_tap(state)
        else:
            self._tapped.discard(device_id)
            if state is not None and state.tap is not None:
                state.driver.remove_traffic_listener(state.tap)
                state.tap = None

    def _attach_tap(self, state: DeviceState) -> None:
        if self._traffic is None:
            return
        traffic, device_id = self._traffic, state.config.id
        state.tap = lambda direction, data: traffic(device_id, direction, data)
        state.driver.add_traffic_listener(state.tap)

    # ----- waiting for a reading -------------------------------------------
    def wait_reading(self, device_id: str, accept: Callable[[dict[str, Any]], bool],
                     timeout: float) -> tuple[dict[str, Any], bytes] | None:
        """The first reading from now on that ``accept`` takes, with its raw frame;
        None after ``timeout`` s (or if the device is removed or replaced meanwhile)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            state = self.devices.get(device_id)
            if state is None:
                return None
            after = state.seq
            while True:
                for message, raw in state.recent:
                    if message["seq"] > after and accept(message):
                        return message, raw
                after = state.seq
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.devices.get(device_id) is not state:
                    return None
                self._arrived.wait(remaining)

    def stop(self) -> None:
        self._running = False
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
            self._arrived.notify_all()
        self._publish("reading", message)

    def _on_status(self, state: DeviceState) -> None:
        self._publish("device_status", state.status_message())
