"""The etd-ascii simulator speaks docs/etd-ascii.md (docs/protocols.md section 5),
checked over a real pty with plain pyserial — not with lanebox's driver."""

from __future__ import annotations

import re

import pytest
import serial

from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import PtyPort
from tests.support.waiting import wait_for

SUBSTANCE = r"[^\s:]+:(explosive|narcotic|cwa|other):-?\d+(\.\d+)?(:\d+(\.\d+)?)?"
RES = re.compile(rf"^RES \S+ (CLEAR|ALARM|FAULT)( {SUBSTANCE})*$")
VER = re.compile(rf"^VER \S+ (PASS|FAIL)( {SUBSTANCE})*$")
STA = re.compile(r"^STA (READY|BUSY|WARMUP|CAL_REQUIRED|FAULT)( [^\s=]+=\S*)*$")


@pytest.fixture
def wire(stop_later):
    sim = EtdSimulator()
    port = PtyPort(sim).start()
    stop_later.append(port)
    ser = serial.Serial(port.path, 9600, timeout=0.05)
    stop_later.append(ser)
    buffer = bytearray()

    def ask(command: str | None = None) -> str:
        if command is not None:
            ser.write(command.encode() + b"\r\n")
        def line_ready() -> bool:
            buffer.extend(ser.read(ser.in_waiting or 1))
            return b"\r\n" in buffer
        wait_for(line_ready, message="a CR LF-ended line")
        line, _, rest = bytes(buffer).partition(b"\r\n")
        buffer[:] = rest
        return line.decode("ascii")

    return sim, ask


def test_identification_state_and_unknown_commands(wire):
    sim, ask = wire
    assert re.fullmatch(r"ID \S+ \S+ \S+", ask("ID?"))
    assert STA.match(ask("STA?"))
    assert ask("FIRE").startswith("ERR ")


def test_results_verifications_and_states_have_the_documented_shape(wire):
    sim, ask = wire
    sim.swab([("RDX", 412.5)], sample_id="S1")
    alarm = ask()
    assert RES.match(alarm) and alarm.startswith("RES S1 ALARM RDX:explosive:412.5")
    sim.swab([])
    assert RES.match(clear := ask()) and " CLEAR" in clear
    sim.verify("LOT-7", "RDX")
    assert VER.match(passed := ask()) and passed.startswith("VER LOT-7 PASS RDX:explosive:")
    sim.verify("LOT-7", None)  # a blank must stay clear
    assert ask() == "VER LOT-7 PASS"
    sim.sensitive = False  # a detector that misses the trap fails its check
    sim.verify("LOT-8", "TNT")
    assert ask() == "VER LOT-8 FAIL"
    sim.set_state("FAULT")
    assert STA.match(ask())
