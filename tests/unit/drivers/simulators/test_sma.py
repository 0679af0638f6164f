"""The SMA simulator answers as SMA SCP-0499 says a scale does, checked over
a real pty with plain pyserial (no lanebox driver): every command framed
``<LF>c<CR>``, every answer ``<LF>...<CR>``, the weight frame's fixed
columns and flags, the about/information scrolls, the diagnostic, ``?``,
``!``, ``<ESC>`` and the repeat of ``R`` (docs/protocols.md section 7)."""

from __future__ import annotations

import re

import pytest

from drivers.simulators.ports import PtyPort
from drivers.simulators.sma import SmaSimulator
from tests.support.waiting import wait_for
from tests.support.wire import Wire

# written from the standard's frame definition: <s><r><n><m><f><xxxxxx.xxx><uuu>
FRAME = re.compile(r"(?P<s>[ZOUEIT ])(?P<r>[1-9])(?P<n>[GTNgtn])(?P<m>[M ])(?P<f>[ -~])"
                   r"(?P<w>[ -]*-?\d+(\.\d+)?|-{10})(?P<u>[a-z]{1,3} *| {3})")
TEXT = re.compile(r"[A-Z]{3}:[ -~]{0,25}")


class SmaWire(Wire):
    """The host end: send ``<LF>c<CR>``, read ``<LF>...<CR>`` answers."""

    def __init__(self, path: str) -> None:
        super().__init__(path, end=b"\r")

    def send(self, command: bytes) -> None:
        self.write(b"\n" + command + b"\r")

    def answer(self, timeout: float = 5.0) -> str:
        answer = self.until_end(timeout)
        assert answer.startswith(b"\n"), f"{answer!r} does not start with <LF>"
        return answer[1:].decode("ascii")

    def ask(self, command: bytes) -> str:
        self.send(command)
        return self.answer()


@pytest.fixture
def sim_wire(stop_later):
    sim = SmaSimulator()
    sim.model.settle_seconds = 0.3
    sim.stability_timeout = 0.6
    port = PtyPort(sim).start()
    stop_later.append(port)
    wire = SmaWire(port.path)
    stop_later.append(wire)
    return sim, wire


def weight_frame(answer: str) -> re.Match:
    assert len(answer) == 18, f"{answer!r} is not 18 characters"
    match = FRAME.fullmatch(answer)
    assert match, f"{answer!r} is not <s><r><n><m><f><xxxxxx.xxx><uuu>"
    return match


def test_w_answers_the_displayed_weight(sim_wire):
    sim, wire = sim_wire
    sim.set_load(24_560)
    frame = weight_frame(wire.ask(b"W"))
    assert (frame["s"], frame["r"], frame["n"], frame["m"]) == (" ", "1", "G", " ")
    assert frame["w"] == "     24560" and frame["u"] == "kg "


def test_an_empty_scale_is_at_centre_of_zero(sim_wire):
    _, wire = sim_wire
    assert weight_frame(wire.ask(b"W"))["s"] == "Z"


def test_motion_and_out_of_range_flags(sim_wire):
    sim, wire = sim_wire
    sim.model.settle_seconds = 30  # still swinging when the answer comes, however busy the machine
    sim.set_load(10_000, settle=False)
    assert weight_frame(wire.ask(b"W"))["m"] == "M"
    sim.set_load(70_000)
    assert weight_frame(wire.ask(b"W"))["s"] == "O"
    sim.set_load(-1_000)
    under = weight_frame(wire.ask(b"W"))
    assert under["s"] == "U" and under["w"].strip().startswith("-")


def test_h_is_ten_times_finer_with_lower_case_mode(sim_wire):
    sim, wire = sim_wire
    sim.set_load(1_006)  # 1000 on the 20 kg display, 1006 at 2 kg
    assert weight_frame(wire.ask(b"W"))["w"].strip() == "1000"
    high = weight_frame(wire.ask(b"H"))
    assert high["n"] == "g" and high["w"].strip() == "1006"


def test_p_waits_for_stability_or_answers_dashes(sim_wire):
    sim, wire = sim_wire
    sim.set_load(5_000, settle=False)
    wire.send(b"P")
    assert wire.silent_for(0.1)
    assert weight_frame(wire.answer())["w"].strip() == "5000"
    sim.model.settle_seconds = 5.0
    sim.set_load(6_000, settle=False)
    assert wire.ask(b"P") == " 1G ----------   "


def test_zero_tare_tare_weight_and_clear(sim_wire):
    sim, wire = sim_wire
    sim.set_error(offset=40)
    assert weight_frame(wire.ask(b"W"))["w"].strip() == "40"
    zeroed = weight_frame(wire.ask(b"Z"))
    assert zeroed["s"] == "Z" and zeroed["w"].strip() == "0"
    sim.set_load(12_000)
    tared = weight_frame(wire.ask(b"T"))
    assert tared["n"] == "N" and tared["s"] != "T" and tared["w"].strip() == "0"
    tare = weight_frame(wire.ask(b"M"))
    assert tare["n"] == "T" and tare["w"].strip() == "12000"
    sim.set_load(30_000)
    assert weight_frame(wire.ask(b"W"))["w"].strip() == "18000"
    cleared = weight_frame(wire.ask(b"C"))
    assert cleared["n"] == "G" and cleared["w"].strip() == "30000"


def test_zero_and_tare_errors(sim_wire):
    sim, wire = sim_wire
    sim.set_load(5_000)
    assert weight_frame(wire.ask(b"Z"))["s"] == "E"  # beyond ±2 % of Max
    sim.set_load(-2_000)
    refused = weight_frame(wire.ask(b"T"))
    assert refused["s"] == "T" and refused["n"] == "G"


def test_about_scrolls_with_b_then_answers_question_mark(sim_wire):
    _, wire = sim_wire
    lines = [wire.ask(b"A")] + [wire.ask(b"B") for _ in range(3)]
    assert all(TEXT.fullmatch(line) for line in lines)
    assert [line[:4] for line in lines] == ["SMA:", "MFG:", "MOD:", "REV:"]
    assert wire.ask(b"B") == "?"
    assert wire.ask(b"A") == lines[0]  # A starts again


def test_information_scrolls_with_n_to_end(sim_wire):
    _, wire = sim_wire
    lines = [wire.ask(b"I")] + [wire.ask(b"N") for _ in range(4)]
    assert [line[:4] for line in lines] == ["SMA:", "TYP:", "CAP:", "CMD:", "END:"]
    unit, capacity, count_by, decimals = lines[2][4:].split(":")
    assert (unit, capacity, count_by, decimals) == ("kg ", "60000", "2", "0")  # 60 t by 20 kg
    assert "W" not in lines[3] and "Z" not in lines[3]  # level-1 commands are not listed
    assert wire.ask(b"N") == "?"


def test_diagnostic_is_four_flags(sim_wire):
    sim, wire = sim_wire
    assert wire.ask(b"D") == "    "
    sim.diagnostic = "  C "
    assert wire.ask(b"D") == "  C "


def test_unknown_and_garbled_commands(sim_wire):
    _, wire = sim_wire
    assert wire.ask(b"X") == "?"
    assert wire.ask(b"W\x01") == "!"
    wire.port.write(b"W\r")  # no <LF>: not a command
    assert wire.silent_for(0.2)


def test_r_repeats_until_another_command_and_esc_aborts(sim_wire):
    sim, wire = sim_wire
    sim.set_load(2_000)
    wire.send(b"R")
    frames = [weight_frame(wire.answer()) for _ in range(5)]
    assert all(f["w"].strip() == "2000" for f in frames)
    wire.port.write(b"\x1b")
    wait_for(lambda: not sim.repeating, message="R stopped by <ESC>")
    wire.silent_for(0.15)  # what was on its way
    assert wire.silent_for(0.3)
    sim.model.settle_seconds = 5.0
    sim.set_load(3_000, settle=False)
    wire.send(b"P")
    wire.port.write(b"\x1b")  # aborts the waiting P: no answer
    assert wire.silent_for(0.8)
