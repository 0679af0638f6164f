"""Shared fixtures for driver tests: real ptys, a recorder, and cleanup."""

from __future__ import annotations

import pytest
import serial

from drivers.simulators.ports import PtyPort
from tests.support.waiting import Recorder, wait_for  # noqa: F401  (re-exported for driver tests)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


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

