"""Devices on real pseudo-terminals for driver tests: a simulator on a pty read by a
driver, and waiting for its readings."""

from __future__ import annotations

from typing import Any, Callable

from drivers.simulators.ports import PtyPort
from tests.support.waiting import Recorder, wait_for  # noqa: F401  (re-exported for driver tests)


def reading_where(recorder: Recorder, predicate: Callable[[dict], Any], message: str, timeout: float = 5.0) -> dict:
    """Wait for a reading that arrives from now on and satisfies ``predicate``
    (older readings do not count: they may predate what the test just did)."""
    seen = len(recorder.data())
    return wait_for(lambda: next((d for d in recorder.data()[seen:] if predicate(d)), None), timeout,
                    message=message)


def driver_on_pty(sim, driver_class, link, stop_later: list, device_id: str):
    """``sim`` on a pty (with a by-id style ``link``) read by a started
    ``driver_class``; waits until it is connected. Returns (driver, recorder)."""
    from drivers.base import SerialSettings

    port = PtyPort(sim, link=link).start()
    stop_later.append(port)
    recorder = Recorder()
    driver = driver_class(port.path, SerialSettings(), recorder.on_reading, recorder.on_status, device_id=device_id)
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message=f"{device_id} connected")
    return driver, recorder

