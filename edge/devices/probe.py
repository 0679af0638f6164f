"""The "test connection" button: open a port with a driver, identify, read, close.

Before a technician saves a device, the lane tries it the way it would run
it — the same driver class, the same serial settings — on a throwaway
driver, so a wrong port, baud rate or protocol shows up as a sentence
instead of a device that stays ``disconnected``. Nothing is stored and no
reading reaches the tablets.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from drivers.base import CONNECTED
from edge.config import DeviceConfig
from edge.devices.manager import make_driver

#: a scale streams at once; readers and detectors speak only when used, so a reading is not required of them
READING_EXPECTED = ("scale",)


def probe(device: DeviceConfig, timeout: float = 4.0) -> dict[str, Any]:
    """Try ``device``'s port and driver for up to ``timeout`` s.

    Returns ``{"ok", "state", "detail", "identity", "reading", "counters",
    "seconds"}``: ``ok`` when the driver got to ``connected`` (and, for a
    scale, a reading came).
    """
    got_reading = threading.Event()
    readings: list[dict[str, Any]] = []
    connected = threading.Event()

    def on_reading(data: dict[str, Any], raw: bytes) -> None:
        readings.append(data)
        got_reading.set()

    def on_status(state: str, detail: str) -> None:
        if state == CONNECTED:
            connected.set()

    driver = make_driver(device, on_reading, on_status, f"{device.id} (test)")
    started = time.monotonic()
    driver.start()
    try:
        connected.wait(timeout)
        if connected.is_set() and device.kind in READING_EXPECTED:
            got_reading.wait(max(0.0, timeout - (time.monotonic() - started)))
        state, detail = driver.state, driver.state_detail
    finally:
        driver.stop()
    ok = connected.is_set() and (bool(readings) or device.kind not in READING_EXPECTED)
    if connected.is_set() and not ok:
        detail = "connected, but no reading came: check the protocol and the serial settings"
    return {"ok": ok, "state": state, "detail": detail, "identity": dict(driver.identity),
            "reading": readings[0] if readings else None, "counters": driver.counters.as_dict(),
            "seconds": round(time.monotonic() - started, 3)}
