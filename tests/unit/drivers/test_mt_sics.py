"""The mt-sics driver: its parser against the replies published in
docs/protocols.md section 1, fuzzed, and the driver end to end against the
simulator on a real pseudo-terminal."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.base import DeviceError
from drivers.framing import LineFramer
from drivers.mt_sics import MtSicsFormatError, MtSicsScale, parse_mt_sics_line, reply_error, reply_id, weight_reading
from drivers.scale import UnitError
from drivers.simulators.device import DeviceSimulator
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for

READING_KEYS = {"weight", "unit", "stable", "tare", "status"}


# ----- parser: the published replies ------------------------------------
@pytest.mark.parametrize("line, value, unit, stable", [
    (b"S S     100.00 g", 100.0, "g", True),
    (b"S D     129.07 g", 129.07, "g", False),
    (b"S S      -0.50 kg", -0.5, "kg", True),
    (b"S S 100.00 g", 100.0, "g", True),            # other makers' spacing
    (b"S  S   100.00    g  ", 100.0, "g", True),
    (b"S S -     0.50 kg", -0.5, "kg", True),       # a sign standing apart
])
def test_weight_replies(line, value, unit, stable):
    reply = parse_mt_sics_line(line)
    assert (reply["id"], reply["value"], reply["unit"]) == ("S", value, unit)
    assert weight_reading(reply, None) == {"weight": value, "unit": unit, "stable": stable,
                                           "tare": None, "status": "ok"}


@pytest.mark.parametrize("line, ident, status, args", [
    (b"S I", "S", "I", []), (b"S +", "S", "+", []), (b"S -", "S", "-", []),
    (b"Z A", "Z", "A", []), (b"Z I", "Z", "I", []), (b"Z +", "Z", "+", []), (b"Z -", "Z", "-", []),
    (b"ZI S", "ZI", "S", []), (b"ZI D", "ZI", "D", []), (b"ZI I", "ZI", "I", []),
    (b"T I", "T", "I", []), (b"T +", "T", "+", []), (b"T -", "T", "-", []),
    (b"TA I", "TA", "I", []), (b"TA L", "TA", "L", []), (b"TAC A", "TAC", "A", []), (b"TAC I", "TAC", "I", []),
    (b'I4 A "0123456789"', "I4", "A", ["0123456789"]),
    (b'I0 B 0 "I0"', "I0", "B", ["0", "I0"]),
    (b'I0 A 2 "C3"', "I0", "A", ["2", "C3"]),
    (b'I1 A "01" "2.20" "2.20" "1.00" "1.50"', "I1", "A", ["01", "2.20", "2.20", "1.00", "1.50"]),
    (b'I2 A "T72XW Standard 50.00 kg"', "I2", "A", ["T72XW Standard 50.00 kg"]),
    (b'I3 A "1.10.18"', "I3", "A", ["1.10.18"]),
    (b"C3 B", "C3", "B", []), (b"C3 A", "C3", "A", []), (b"C3 I", "C3", "I", []), (b"C3 L", "C3", "L", []),
    (b'C2 B "20.000" "kg"', "C2", "B", ["20.000", "kg"]),
])
def test_replies_without_a_weight(line, ident, status, args):
    reply = parse_mt_sics_line(line)
    assert (reply["id"], reply["status"], reply["args"], reply["value"]) == (ident, status, args, None)


@pytest.mark.parametrize("line, value, unit", [(b"T S    2000 kg", 2000.0, "kg"), (b"TA A      12.50 g", 12.5, "g")])
def test_tare_replies_carry_the_tare(line, value, unit):
    reply = parse_mt_sics_line(line)
    assert (reply["value"], reply["unit"]) == (value, unit)


@pytest.mark.parametrize("code", ["ES", "ET", "EL"])
def test_bare_errors(code):
    assert parse_mt_sics_line(code.encode()) == {"id": code, "status": None, "value": None, "unit": None, "args": []}


@pytest.mark.parametrize("line, reason", [
    (b"", "empty"), (b"   ", "empty"), (b"S X 1 g", "status"), (b"S", "status"), (b"Z", "status"),
    (b"S S abc g", "weight"), (b"S S 100.00", "weight"), (b"S S 1e5 g", "weight"), (b"S S nan g", "weight"),
    (b"T S", "weight"), (b'"S" S 1 g', "not a reply id"), (b's S 1 g', "not a reply id"),
    (b'I2 A "open', "unterminated"), (b'I2 A "a"b', "closing quote"), (b'I2 A a"b', "stray quote"),
    (b"S S 1.0 g\x00", "control"), (b"S S\t1.0 g", "control"),
])
def test_malformed_lines_say_why(line, reason):
    with pytest.raises(MtSicsFormatError, match=reason):
        parse_mt_sics_line(line)


def test_units_are_normalised_or_refused():
    assert weight_reading(parse_mt_sics_line(b"S S    1234.5 mg"), None)["weight"] == 1.2345
    reading = weight_reading(parse_mt_sics_line(b"S D       8.00 oz"), None)
    assert (reading["weight"], reading["unit"], reading["stable"]) == (0.5, "lb", False)
    with pytest.raises(UnitError, match="'ct'"):
        weight_reading(parse_mt_sics_line(b"S S      10.00 ct"), None)


def test_tare_is_carried_in_the_readings_unit():
    assert weight_reading(parse_mt_sics_line(b"S S    1500.00 g"), (2.0, "kg"))["tare"] == 2000.0
    assert weight_reading(parse_mt_sics_line(b"S S    1500.00 g"), (0.0, "kg"))["tare"] is None


def test_out_of_range_readings_have_no_weight():
    assert weight_reading(parse_mt_sics_line(b"S +"), (500.0, "kg"), unit="kg") == {
        "weight": None, "unit": "kg", "stable": False, "tare": 500.0, "status": "overload"}
    assert weight_reading(parse_mt_sics_line(b"S -"), None, unit="t")["status"] == "underload"
    with pytest.raises(MtSicsFormatError):
        weight_reading(parse_mt_sics_line(b"S I"), None)


def test_refusals_read_as_sentences():
    assert str(reply_error("Z", parse_mt_sics_line(b"Z I"))) == "zero not possible: scale not stable (Z I)"
    assert "no internal adjustment weight (C3 L)" in str(reply_error("C3", parse_mt_sics_line(b"C3 L")))
    assert str(reply_error("XY", parse_mt_sics_line(b"ES"))) == \
        "command XY failed: the scale does not know this command (ES)"


@pytest.mark.parametrize("command, ident", [("S", "S"), ("SI", "S"), ("SIR", "S"), ("SR", "S"), ("@", "I4"),
                                            ("Z", "Z"), ("ZI", "ZI"), ("TA 10 kg", "TA"), ("I2", "I2")])
def test_replies_echo_the_command_family(command, ident):
    assert reply_id(command) == ident


# ----- parser: fuzzed ---------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_random_bytes_never_raise_anything_but_a_format_error(data):
    try:
        parse_mt_sics_line(data)
    except MtSicsFormatError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=8))
def test_random_streams_never_break_framing_and_parsing(chunks):
    framer = LineFramer(lambda reason, raw: None, max_length=64)
    for chunk in chunks:
        for line in framer.feed(chunk):
            try:
                parse_mt_sics_line(line)
            except MtSicsFormatError:
                pass


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-99999, max_value=99999, places=2, allow_nan=False),
       st.sampled_from(["S", "D"]), st.integers(1, 4), st.sampled_from(["g", "kg", "lb", "t"]))
def test_weight_lines_round_trip_whatever_the_spacing(value, status, gap, unit):
    line = f"S {status}{' ' * gap}{value:>10} {unit}".encode()
    reply = parse_mt_sics_line(line)
    assert (reply["value"], reply["unit"], reply["status"]) == (float(value), unit, status)


# ----- end to end on a pty ----------------------------------------------
@pytest.fixture
def scale(recorder, stop_later):
    """A simulator on a pty and a connected driver; returns (sim, driver, recorder)."""
    sim = MtSicsSimulator(internal_weight=True)
    sim.adjust_seconds = 0.3
    sim.model.settle_seconds = 0.5
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = MtSicsScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status, device_id="scale-1")
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    return sim, driver, recorder


def test_connect_identifies_the_scale(scale):
    sim, driver, _ = scale
    assert driver.identity == {"model": "SIM-WB60", "capacity": "60000 kg", "firmware": "1.2.0",
                               "serial": "0123456789"}
    assert sim.streaming  # SIR runs
    assert b"@\r\n" in bytes(sim.received)


def test_readings_carry_the_contract_fields(scale):
    sim, _, recorder = scale
    sim.set_load(12340)
    data = reading_where(recorder, lambda d: d["weight"] == 12340, "12340 kg")
    assert set(data) == READING_KEYS
    assert data == {"weight": 12340.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}


def test_a_moving_load_is_dynamic_then_stable(scale):
    sim, _, recorder = scale
    sim.set_load(20000, settle=False)
    reading_where(recorder, lambda d: not d["stable"], "a dynamic reading")
    data = reading_where(recorder, lambda d: d["stable"], "stable again")
    assert data["weight"] == 20000


def test_tare_preset_tare_and_clear_change_the_readings(scale):
    sim, driver, recorder = scale
    sim.set_load(12000)
    reading_where(recorder, lambda d: d["weight"] == 12000, "gross")
    assert driver.tare() == 12000
    sim.set_load(15000)
    assert reading_where(recorder, lambda d: d["weight"] == 3000, "net")["tare"] == 12000
    driver.clear_tare()
    assert reading_where(recorder, lambda d: d["weight"] == 15000, "gross again")["tare"] is None
    assert driver.preset_tare(2000, "kg") == 2000
    assert reading_where(recorder, lambda d: d["weight"] == 13000, "net of the preset")["tare"] == 2000


def test_zero_takes_out_a_zero_error_and_the_tare(scale):
    sim, driver, recorder = scale
    sim.set_error(offset=200)
    reading_where(recorder, lambda d: d["weight"] == 200, "the zero error shows")
    driver.preset_tare(100, "kg")
    driver.zero()
    assert reading_where(recorder, lambda d: d["weight"] == 0, "zeroed")["tare"] is None


def test_refused_commands_raise_with_the_reason(scale):
    sim, driver, _ = scale
    sim.busy = True
    with pytest.raises(DeviceError, match=r"zero not possible: .*\(Z I\)"):
        driver.zero()
    sim.busy = False
    sim.set_load(5000)  # above the ±2 % zero range of 60 t
    with pytest.raises(DeviceError, match=r"\(Z \+\)"):
        driver.zero()
    with pytest.raises(DeviceError, match=r"\(TA L\)"):
        driver.preset_tare(99999, "kg")
    sim.internal_weight = False
    with pytest.raises(DeviceError, match=r"no internal adjustment weight \(C3 L\)"):
        driver.adjust_internal()


def test_overload_and_underload_map_to_status(scale):
    sim, _, recorder = scale
    sim.set_load(70000)
    assert reading_where(recorder, lambda d: d["status"] == "overload", "overload")["weight"] is None
    sim.set_load(-1000)
    assert reading_where(recorder, lambda d: d["status"] == "underload", "underload")["unit"] == "kg"


def test_commands_from_several_threads_while_the_stream_runs(scale):
    sim, driver, recorder = scale
    sim.set_load(8000)
    results: dict[str, object] = {}
    calls = {"tare": driver.tare, "identify": driver.identify, "console": lambda: driver.send_command("I3")}
    threads = [threading.Thread(target=lambda k=k, f=f: results.__setitem__(k, f())) for k, f in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results == {"tare": 8000.0, "identify": driver.identity, "console": 'I3 A "1.2.0"'}
    reading_where(recorder, lambda d: d["tare"] == 8000, "readings after the commands")


def test_console_commands_return_raw_replies_and_keep_the_stream(scale):
    sim, driver, recorder = scale
    assert driver.send_command("XYZ") == "ES"
    lines = driver.send_command("I0").split("\n")
    assert lines[0].startswith("I0 B") and lines[-1].startswith("I0 A")
    assert driver.send_command("S").startswith("S S")  # S stops SIR; the driver restarts it
    sim.set_load(4321.0)
    reading_where(recorder, lambda d: d["weight"] == 4320, "the stream goes on")
    with pytest.raises(ValueError):
        driver.send_command("Z\r\nT")


def test_internal_adjustment_corrects_the_span(scale):
    sim, driver, recorder = scale
    sim.set_error(error_ppm=2000)
    sim.set_load(30000)
    reading_where(recorder, lambda d: d["weight"] == 30060, "the span error shows")
    driver.adjust_internal()
    reading_where(recorder, lambda d: d["weight"] == 30000, "adjusted")


def test_a_reset_cancels_what_was_pending(scale):
    sim, driver, _ = scale
    sim.model.settle_seconds = 10
    sim.set_load(300, settle=False)  # Z waits for stability that will not come soon
    errors: list[Exception] = []
    waiting = threading.Thread(target=lambda: errors.append(pytest.raises(DeviceError, driver.zero).value))
    waiting.start()
    wait_for(lambda: b"Z\r\n" in bytes(sim.received), message="Z sent")
    assert driver.send_command("@") == 'I4 A "0123456789"'
    waiting.join(2)
    assert "cancelled by a reset" in str(errors[0])


def test_garbage_is_counted_and_the_stream_survives(scale):
    sim, driver, recorder = scale
    sim.send(b"\x00\xff garbage\r\nS X 12 kg\r\nS S   oops kg\r\n" + b"Z" * 600 + b"\r\n")
    sim.set_load(1000)
    reading_where(recorder, lambda d: d["weight"] == 1000, "readings after garbage")
    assert driver.counters.drops == 4
    assert driver.counters.drop_reasons["line too long"] == 1
    assert driver.state == "connected"


def test_a_stream_that_stops_is_restarted(scale):
    sim, driver, recorder = scale
    driver.stream_timeout = 0.3
    sim.streaming = False  # as if the scale had rebooted
    sim.set_load(2500)
    reading_where(recorder, lambda d: d["weight"] == 2500, "readings again")
    assert driver.state == "connected"


def test_a_scale_that_falls_silent_is_an_error(scale):
    sim, driver, recorder = scale
    driver.stream_timeout = 0.2
    sim.handle_command = lambda command: None
    sim.streaming = False
    wait_for(lambda: driver.state == "error", message="error")
    assert "no weight from the scale" in recorder.statuses[recorder.states().index("error")][1]


def test_an_unanswering_device_is_an_error(recorder, stop_later):
    port = PtyPort(DeviceSimulator()).start()  # a port where nothing answers
    stop_later.append(port)
    driver = MtSicsScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status)
    driver.identify_timeout = 0.2
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "error", message="error")
    assert "no answer to '@'" in driver.state_detail and "MT-SICS" in driver.state_detail
    assert recorder.data() == []
    with pytest.raises(DeviceError):
        driver.zero(timeout=0.2)


def test_polling_with_si_gives_readings_too(recorder, stop_later):
    sim = MtSicsSimulator()
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = MtSicsScale(port.path, on_reading=recorder.on_reading, stream="si")
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    sim.set_load(700)
    reading_where(recorder, lambda d: d["weight"] == 700, "a polled reading")
    assert not sim.streaming
    assert bytes(sim.received).count(b"SI\r\n") >= 1
