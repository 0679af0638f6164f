"""Shared fixtures for driver tests: real ptys, a recorder, and cleanup."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import serial

from drivers.simulators.ports import PtyPort

from tests.waiting import Recorder, wait_for  # noqa: F401  (re-exported for driver tests)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def stop_later() -> Iterator[list]:
    """Append drivers/ports here; they are stopped/closed after the test."""
    things: list = []
    yield things
    for thing in reversed(things):
        (getattr(thing, "stop", None) or thing.close)()


def reading_where(recorder: Recorder, predicate: Callable[[dict], Any], message: str, timeout: float = 5.0) -> dict:
    """Wait for a reading that arrives from now on and satisfies ``predicate``
    (older readings do not count: they may predate what the test just did)."""
    seen = len(recorder.data())
    return wait_for(lambda: next((d for d in recorder.data()[seen:] if predicate(d)), None), timeout,
                    message=message)


@pytest.fixture
def raw_line(stop_later):
    """A simulator on a pty read by plain pyserial, as a bytes accumulator."""
    def start(sim):
        port = PtyPort(sim).start()
        stop_later.append(port)
        ser = serial.Serial(port.path, timeout=0.05)
        stop_later.append(ser)
        received = bytearray()

        def read_until(predicate):
            def poll():
                received.extend(ser.read(4096))
                return predicate(bytes(received))
            wait_for(poll, message="bytes from the simulator")
            return bytes(received)
        return read_until
    return start


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
