"""The Toledo continuous simulator sends what docs/protocols.md section 2 says an
indicator sends, checked over a real pty with plain pyserial (no lanebox
driver): frame shape, checksum rule, rate, and the status bits."""

from __future__ import annotations

import re
import time

import pytest
import serial

from drivers.simulators.ports import PtyPort
from drivers.simulators.toledo_continuous import ToledoContinuousSimulator
from tests.support.waiting import wait_for

FRAME = re.compile(rb"\x02([\x00-\x7f]{3})([0-9 ]{6})([0-9 ]{6})\r")


class Line:
    """The receiving end: collects frames as they come."""

    def __init__(self, path: str, checksum: bool) -> None:
        self.port = serial.Serial(path, 9600, timeout=0.05)
        self.checksum = checksum
        self.buffer = b""

    def close(self) -> None:
        self.port.close()

    def frames(self, count: int) -> list[bytes]:
        """The next ``count`` complete frames that start after now."""
        self.port.reset_input_buffer()
        self.buffer = b""
        size = 18 if self.checksum else 17

        def enough() -> bool:
            self.buffer += self.port.read(self.port.in_waiting or 1)
            return len(self._found(size)) > count  # the first may be cut by the reset
        wait_for(enough, timeout=5.0, interval=0, message=f"{count} frames")
        return self._found(size)[1:count + 1]

    def _found(self, size: int) -> list[bytes]:
        return [self.buffer[m.start():m.start() + size] for m in FRAME.finditer(self.buffer)
                if m.start() + size <= len(self.buffer)]

    def status(self) -> tuple[int, int, int, int, int]:
        """SWA, SWB, SWC and the weight and tare digits of a fresh frame."""
        frame = self.frames(1)[0]
        match = FRAME.match(frame)
        assert match
        swa, swb, swc = match[1]
        return swa, swb, swc, int(match[2]), int(match[3])


@pytest.fixture(params=[True, False], ids=["checksum", "no-checksum"])
def indicator(request, stop_later):
    sim = ToledoContinuousSimulator(checksum=request.param)
    sim.model.settle_seconds = 0.3
    port = PtyPort(sim).start()
    stop_later.append(port)
    line = Line(port.path, request.param)
    stop_later.append(line)
    return sim, line


def test_frames_have_the_published_shape_and_checksum(indicator):
    sim, line = indicator
    sim.set_load(12340)
    for frame in line.frames(3):
        assert FRAME.match(frame)
        if line.checksum:
            assert len(frame) == 18 and sum(b & 0x7F for b in frame) % 128 == 0
        else:
            assert len(frame) == 17


def test_about_seven_frames_a_second(indicator):
    _, line = indicator
    start = time.monotonic()
    line.frames(8)
    assert 0.8 < time.monotonic() - start < 2.0


def test_status_bits_of_a_stable_gross_weight(indicator):
    sim, line = indicator
    sim.set_load(12340)
    swa, swb, swc, weight, tare = line.status()
    assert swa & 0b111 == 0b001 and (swa >> 3) & 0b11 == 0b10  # XXXXX0, count by 2: d = 20 kg
    assert weight * 10 == 12340 and tare == 0
    assert swb & 0x01 == 0 and swb & 0x02 == 0 and swb & 0x04 == 0 and swb & 0x08 == 0  # gross, +, in range, still
    assert swb & 0x10 and swc & 0b111 == 0  # kg, no unit override


def test_net_motion_negative_and_out_of_range_bits(indicator):
    sim, line = indicator
    sim.set_load(9000)
    sim.tare()
    sim.model.settle_seconds = 30  # swinging until the next load, however long a fresh frame takes to come
    sim.set_load(10000, settle=False)
    swa, swb, swc, weight, tare = line.status()
    assert swb & 0x01 and swb & 0x08 and tare * 10 == 9000  # net, in motion
    sim.set_load(8000)
    wait_for(lambda: line.status()[1] & 0x02, message="negative net")
    sim.clear_tare()
    sim.set_load(61000)
    wait_for(lambda: line.status()[1] & 0x04, message="out of range above Max")
