"""The MT-SICS simulator speaks what docs/protocols.md section 1 says a scale
answers, checked over a real pty with plain pyserial (no lanebox driver):
the exact reply shapes, the 10-character right-aligned value field with
the sign next to the digits, the SIR stream and what stops it."""

from __future__ import annotations

import re
import time

import pytest

from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from tests.support.waiting import wait_for
from tests.support.wire import Wire

VALUE = r"(?P<value> *-?\d+(\.\d+)?)"          # right-aligned, sign next to the digits
WEIGHT = re.compile(rf"^(?P<id>S|T|TA) (?P<status>[SDA]) {VALUE} (?P<unit>kg|g|t)$")
QUOTED = r'"[^"]*"'


class SicsWire(Wire):
    """The host end of the line: write a command, read CR LF-ended lines."""

    def __init__(self, path: str) -> None:
        super().__init__(path, end=b"\r\n")

    def send(self, command: str) -> None:
        self.write(command.encode() + b"\r\n")

    def line(self, timeout: float = 5.0) -> str:
        return self.until_end(timeout).decode("ascii")

    def ask(self, command: str) -> str:
        self.send(command)
        return self.line()


@pytest.fixture
def sim_wire(stop_later):
    sim = MtSicsSimulator(serial="B123456789", internal_weight=True)
    sim.model.settle_seconds = 0.3
    sim.adjust_seconds = 0.2
    port = PtyPort(sim).start()
    stop_later.append(port)
    wire = SicsWire(port.path)
    stop_later.append(wire)
    return sim, wire


def weight_of(line: str) -> re.Match:
    match = WEIGHT.match(line)
    assert match, f"{line!r} is not '<id> <status> <10-char value> <unit>'"
    assert len(match["value"]) == 10, f"value field of {line!r} is not 10 characters"
    return match


def test_s_answers_a_stable_weight(sim_wire):
    sim, wire = sim_wire
    sim.set_load(12340)
    match = weight_of(wire.ask("S"))
    assert (match["id"], match["status"], float(match["value"]), match["unit"]) == ("S", "S", 12340, "kg")


def test_the_sign_sits_next_to_the_digits(sim_wire):
    sim, wire = sim_wire
    sim.set_load(-100)
    line = wire.ask("SI")
    assert line == "S S       -100 kg"
    weight_of(line)


def test_si_answers_at_once_even_in_motion(sim_wire):
    sim, wire = sim_wire
    sim.model.settle_seconds = 30  # still swinging when the answer comes, however busy the machine
    sim.set_load(5000, settle=False)
    assert weight_of(wire.ask("SI"))["status"] == "D"
    sim.set_load(5000)
    assert weight_of(wire.ask("SI"))["status"] == "S"


def test_s_waits_for_stability(sim_wire):
    sim, wire = sim_wire
    sim.set_load(5000, settle=False)
    match = weight_of(wire.ask("S"))
    assert match["status"] == "S" and float(match["value"]) == 5000


def test_s_gives_up_with_i_when_nothing_settles(sim_wire):
    sim, wire = sim_wire
    sim.stability_timeout = 0.2
    sim.model.settle_seconds = 5
    sim.set_load(5000, settle=False)
    assert wire.ask("S") == "S I"


def test_overload_and_underload(sim_wire):
    sim, wire = sim_wire
    sim.set_load(60000 + 10 * 20)  # above Max + 9 d
    assert wire.ask("SI") == "S +"
    assert wire.ask("S") == "S +"
    sim.set_load(-21 * 20)  # below -20 d
    assert wire.ask("SI") == "S -"


def test_sir_streams_about_ten_a_second_until_stopped(sim_wire):
    sim, wire = sim_wire
    sim.set_load(1000)
    wire.send("SIR")
    start = time.monotonic()
    lines = [wire.line() for _ in range(11)]
    elapsed = time.monotonic() - start
    assert all(weight_of(line)["id"] == "S" for line in lines)
    assert 0.7 < elapsed < 1.5, f"11 lines in {elapsed:.2f} s"
    for stopper in ("S", "SI", "SR"):
        wire.send("SIR")
        wire.send(stopper)
        wait_for(lambda: not sim.streaming, message=f"{stopper} stops SIR")
        while not wire.silent_for(0.25):  # drain what was in flight, then silence
            wire.line()
    wire.send("SIR")
    wire.send("@")
    line = wire.line()
    while line.startswith("S "):  # stream lines sent before the reset
        line = wire.line()
    assert line == 'I4 A "B123456789"'
    assert not sim.streaming and wire.silent_for(0.25)


def test_zero(sim_wire):
    sim, wire = sim_wire
    sim.set_error(offset=100)
    assert wire.ask("Z") == "Z A"
    assert float(weight_of(wire.ask("SI"))["value"]) == 0
    sim.set_load(5000)  # far outside ±2 % of Max
    assert wire.ask("Z") == "Z +"
    sim.set_load(-5000)
    assert wire.ask("Z") == "Z -"
    sim.set_load(0)
    sim.busy = True
    assert wire.ask("Z") == "Z I"


def test_zero_immediately(sim_wire):
    sim, wire = sim_wire
    sim.model.settle_seconds = 30
    sim.set_load(300, settle=False)
    assert wire.ask("ZI") == "ZI D"
    sim.set_load(0)
    assert wire.ask("ZI") == "ZI S"
    sim.set_load(30000)
    assert wire.ask("ZI") == "ZI +"


def test_tare_preset_query_and_clear(sim_wire):
    sim, wire = sim_wire
    sim.set_load(8000)
    match = weight_of(wire.ask("T"))
    assert (match["id"], match["status"], float(match["value"])) == ("T", "S", 8000)
    assert float(weight_of(wire.ask("SI"))["value"]) == 0  # S answers net
    match = weight_of(wire.ask("TA"))
    assert (match["id"], match["status"], float(match["value"])) == ("TA", "A", 8000)
    match = weight_of(wire.ask("TA 2000 kg"))
    assert (match["id"], float(match["value"])) == ("TA", 2000)
    assert float(weight_of(wire.ask("SI"))["value"]) == 6000
    assert wire.ask("TA 99999 kg") == "TA L"
    assert wire.ask("TA 10 ct") == "TA L"
    assert wire.ask("TAC") == "TAC A"
    assert float(weight_of(wire.ask("SI"))["value"]) == 8000
    sim.busy = True
    assert [wire.ask(c) for c in ("T", "TA 1 kg", "TAC")] == ["T I", "TA I", "TAC I"]


def test_tare_out_of_range(sim_wire):
    sim, wire = sim_wire
    sim.set_load(70000)
    assert wire.ask("T") == "T +"
    sim.set_load(-200)
    assert wire.ask("T") == "T -"


def test_reset_answers_the_serial_and_clears_the_tare(sim_wire):
    sim, wire = sim_wire
    sim.set_load(500)
    wire.ask("T")
    assert wire.ask("@") == 'I4 A "B123456789"'
    assert float(weight_of(wire.ask("SI"))["value"]) == 500


def test_identification(sim_wire):
    _, wire = sim_wire
    wire.send("I0")
    lines = []
    while not lines or not lines[-1].startswith("I0 A"):
        lines.append(wire.line())
    assert all(re.match(rf'^I0 [BA] \d+ {QUOTED}$', line) for line in lines)
    assert all(line.startswith("I0 B") for line in lines[:-1])
    listed = {line.split('"')[1] for line in lines}
    assert {"@", "S", "SI", "SIR", "Z", "ZI", "T", "TA", "TAC", "I4", "C3"} <= listed
    assert re.match(rf'^I1 A{f" {QUOTED}" * 5}$', wire.ask("I1"))
    assert re.match(r'^I2 A "\S.* \d+(\.\d+)? (kg|g|t)"$', wire.ask("I2"))
    assert re.match(rf"^I3 A {QUOTED}$", wire.ask("I3"))
    assert wire.ask("I4") == 'I4 A "B123456789"'


def test_internal_adjustment(sim_wire):
    sim, wire = sim_wire
    sim.set_error(error_ppm=1000)
    sim.set_load(20000)
    assert float(weight_of(wire.ask("SI"))["value"]) == 20020
    assert wire.ask("C3") == "C3 B"
    assert wire.line() == "C3 A"
    assert float(weight_of(wire.ask("SI"))["value"]) == 20000
    sim.internal_weight = False
    assert wire.ask("C3") == "C3 L"


def test_unknown_commands_get_es(sim_wire):
    _, wire = sim_wire
    assert wire.ask("XYZ") == "ES"
    assert wire.ask("Z 12") == "ES"
