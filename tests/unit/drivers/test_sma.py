"""The sma driver: the frame parser against the published examples of SMA
SCP-0499 (as its adopters' manuals quote them), fuzzed with hypothesis,
then the driver against its simulator over real pseudo-terminals:
identification, polled readings, zero/tare/clear, garbage, silence and an
unplugged line (docs/protocols.md section 7)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import DeviceError
from drivers.simulators.device import DeviceSimulator
from drivers.simulators.ports import PtyPort
from drivers.simulators.sma import SmaSimulator
from drivers.sma import (
    FRAME_LENGTH,
    SmaFormatError,
    SmaScale,
    answer_fits,
    encode_sma_frame,
    parse_sma_diagnostic,
    parse_sma_frame,
    parse_sma_text,
    sma_reading,
)
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for


# ----- published vectors ---------------------------------------------------
def frame(status: str, range_: str, mode: str, motion: str, field: str, unit: str) -> str:
    """``<s><r><n><m><f><xxxxxx.xxx><uuu>`` from its fields (f, reserved, a space)."""
    return f"{status}{range_}{mode}{motion} {field:>10}{unit:<3}"


# The weight field examples of SCP-0499 as the Sartorius PR 5211 manual (section 5.2) quotes them.
FIELD_EXAMPLES = [("     0.000", 0.0), ("    11.120", 11.12), ("    -1.000", -1.0), ("----------", None)]


@pytest.mark.parametrize("field, value", FIELD_EXAMPLES)
def test_the_weight_field_examples_of_the_standard(field, value):
    assert parse_sma_frame(frame(" ", "1", "G", " ", field, "kg"))["weight"] == value


@pytest.mark.parametrize("text, expected", [
    # status, range, mode, motion as SCP-0499 5.1 defines them (Cardinal 225 and B-Tek T419S manuals)
    (frame("Z", "1", "G", " ", "0.000", "kg"),
     {"status": "Z", "range": 1, "mode": "gross", "motion": False, "weight": 0.0, "unit": "kg"}),
    (frame(" ", "1", "N", "M", "12.340", "lb"),
     {"status": " ", "range": 1, "mode": "net", "motion": True, "weight": 12.34, "unit": "lb"}),
    (frame(" ", "2", "T", " ", "1.500", "kg"),
     {"status": " ", "range": 2, "mode": "tare", "motion": False, "weight": 1.5, "unit": "kg"}),
    (frame("O", "1", "G", " ", "60200", "kg"), {"status": "O", "weight": 60200.0}),
    (frame("U", "1", "G", " ", "-0.500", "kg"), {"status": "U", "weight": -0.5}),
    (frame(" ", "1", "n", " ", "11.125", "kg"), {"mode": "net", "high_resolution": True, "weight": 11.125}),
    (frame(" ", "1", "N", " ", "11.120", "kg"), {"high_resolution": False}),
    # the "no stability in time" answer to P (Sartorius PR 5211 5.3.3, Fairbanks PR 5410 5.3.1)
    (frame(" ", "1", "G", " ", "-" * 10, ""), {"status": " ", "weight": None, "unit": ""}),
])
def test_frames_decode_field_by_field(text, expected):
    decoded = parse_sma_frame(text)
    assert {key: decoded[key] for key in expected} == expected


@pytest.mark.parametrize("text, reason", [
    (frame(" ", "1", "G", " ", "0.000", "kg")[:-1], "18 characters"),
    (frame("X", "1", "G", " ", "0.000", "kg"), "scale status"),
    (frame(" ", "0", "G", " ", "0.000", "kg"), "range"),
    (frame(" ", "1", "Q", " ", "0.000", "kg"), "gross/net"),
    (frame(" ", "1", "G", "X", "0.000", "kg"), "motion"),
    (frame(" ", "1", "G", " ", "12,000", "kg"), "not a number"),
    (frame(" ", "1", "G", " ", "12.000", "k1"), "unit"),
    (frame(" ", "1", "G", " ", "12.000", ""), "without a unit"),
])
def test_malformed_frames_say_why(text, reason):
    with pytest.raises(SmaFormatError, match=reason):
        parse_sma_frame(text)


@pytest.mark.parametrize("line, key, value", [
    ("SMA:2/1.0", "SMA", "2/1.0"),                    # Sartorius PR 5230 'I' example
    ("CAP:kg :6000:1:0", "CAP", "kg :6000:1:0"),      # its 6000 kg x 1 kg platform
    ("MFG:B-TEK", "MFG", "B-TEK"),
    ("END:", "END", ""),
])
def test_about_and_information_lines(line, key, value):
    assert parse_sma_text(line) == (key, value)


def test_diagnostic_answers():
    assert parse_sma_diagnostic("    ") == []            # Fairbanks PR 5220 6.6.4: <_><_><_><_>, no error
    assert parse_sma_diagnostic("R C ") == ["RAM or ROM error", "calibration error"]
    assert parse_sma_diagnostic(" E  ") == ["EEPROM error"]
    with pytest.raises(SmaFormatError):
        parse_sma_diagnostic("OK")


def test_answers_fit_their_command():
    weight = frame(" ", "1", "G", " ", "0.000", "kg")
    assert answer_fits("W", weight) and answer_fits("Z", weight) and not answer_fits("A", weight)
    assert answer_fits("A", "SMA:2/1.0") and not answer_fits("W", "SMA:2/1.0")
    assert answer_fits("D", "    ") and all(answer_fits(c, "?") and answer_fits(c, "!") for c in "WADZ")


def test_readings_follow_the_contract():
    assert sma_reading(parse_sma_frame(frame(" ", "1", "G", " ", "1234.500", "kg")), None) == {
        "weight": 1234.5, "unit": "kg", "stable": True, "tare": None, "status": "ok"}
    assert sma_reading(parse_sma_frame(frame(" ", "1", "N", "M", "100.000", "kg")), 20.0) == {
        "weight": 100.0, "unit": "kg", "stable": False, "tare": 20.0, "status": "ok"}
    assert sma_reading(parse_sma_frame(frame("O", "1", "G", " ", "60200", "kg")), None)["status"] == "overload"
    assert sma_reading(parse_sma_frame(frame("U", "1", "G", " ", "-0.500", "kg")), None) == {
        "weight": None, "unit": "kg", "stable": False, "tare": None, "status": "underload"}
    assert sma_reading(parse_sma_frame(frame(" ", "1", "G", " ", "16.000", "oz")), None)["unit"] == "lb"
    for no_weight in (frame("E", "1", "G", " ", "0.000", "kg"), frame(" ", "1", "G", " ", "-" * 10, "")):
        with pytest.raises(SmaFormatError):
            sma_reading(parse_sma_frame(no_weight), None)
    with pytest.raises(ValueError):
        sma_reading(parse_sma_frame(frame(" ", "1", "G", " ", "1.000", "ton")), None)


# ----- fuzzing ---------------------------------------------------------------
@given(st.text(max_size=40))
def test_any_text_raises_only_a_format_error(text):
    for parse in (parse_sma_frame, parse_sma_text, parse_sma_diagnostic):
        try:
            parse(text)
        except SmaFormatError:
            pass


@given(st.integers(-999_999, 9_999_999), st.integers(0, 3), st.sampled_from(["kg", "lb", "g", "t", "oz"]),
       st.sampled_from(" ZOUT"), st.sampled_from("GNTgnt"), st.booleans(), st.integers(1, 9))
def test_frames_round_trip(count, decimals, unit, status, mode, motion, range_):
    weight = count / 10 ** decimals
    try:
        raw = encode_sma_frame(weight, unit, decimals=decimals, status=status, mode=mode, motion=motion,
                               range_=range_)
    except ValueError:
        return  # more digits than ten characters hold
    assert raw[:1] == b"\n" and raw[-1:] == b"\r" and len(raw) == FRAME_LENGTH + 2
    frame = parse_sma_frame(raw[1:-1].decode())
    assert frame["weight"] == pytest.approx(weight) and frame["unit"] == unit and frame["motion"] == motion
    assert (frame["status"], frame["range"], frame["high_resolution"]) == (status, range_, mode.islower())


@given(st.lists(st.binary(max_size=60), max_size=8))
def test_random_bytes_never_break_the_driver(chunks):
    driver = SmaScale("loop://", device_id="sma-fuzz")
    for chunk in chunks:
        driver.handle_bytes(chunk)
    assert driver.counters.frames == 0


# ----- end to end on a pty ------------------------------------------------------
@pytest.fixture
def scale(recorder, stop_later, tmp_path):
    """An SMA simulator on a pty and a connected driver; returns (sim, driver, recorder, port)."""
    sim = SmaSimulator()
    sim.model.settle_seconds = 0.3
    sim.stability_timeout = 1.0
    port = PtyPort(sim, link=tmp_path / "by-id-sma").start()
    stop_later.append(port)
    driver = SmaScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status, device_id="wb-1")
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    return sim, driver, recorder, port


def test_connect_reads_about_information_and_diagnostic(scale):
    sim, driver, _, _ = scale
    assert driver.identity == {"model": "SIMULATED SCALES SIM-SMA60", "capacity": "60000 kg", "firmware": "2.04",
                               "serial": "", "protocol": "SMA 2/1.0", "diagnostic": "ok"}
    sent = bytes(sim.received)
    assert sent.startswith(b"\x1b\nA\r\nB\r")
    assert b"\nI\r\nN\r" in sent and b"\nD\r" in sent


def test_polled_readings_carry_the_contract_fields(scale):
    sim, driver, recorder, _ = scale
    sim.set_load(24_560)
    data = reading_where(recorder, lambda d: d["weight"] == 24_560, "the load")
    assert data == {"weight": 24_560.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}
    wait_for(lambda: len(recorder.data()) >= 8, message="readings keep coming")
    assert bytes(sim.received).count(b"\nW\r") >= 8


def test_a_moving_load_is_unstable_then_stable(scale):
    sim, _, recorder, _ = scale
    sim.set_load(8_000, settle=False)
    reading_where(recorder, lambda d: not d["stable"], "motion")
    reading_where(recorder, lambda d: d["stable"] and d["weight"] == 8_000, "a stable reading")


def test_tare_then_clear_shows_net_with_its_tare_then_gross(scale):
    sim, driver, recorder, _ = scale
    sim.set_load(12_000)
    reading_where(recorder, lambda d: d["weight"] == 12_000, "the lorry")
    assert driver.tare() == 12_000
    sim.set_load(30_000)
    assert reading_where(recorder, lambda d: d["weight"] == 18_000, "net")["tare"] == 12_000
    driver.clear_tare()
    data = reading_where(recorder, lambda d: d["weight"] == 30_000, "gross again")
    assert data["tare"] is None


def test_a_tare_taken_at_the_panel_is_learnt(scale):
    sim, _, recorder, _ = scale
    sim.set_load(5_000)
    reading_where(recorder, lambda d: d["weight"] == 5_000, "the load")
    sim.model.take_tare()  # the TARE key
    sim.set_load(7_000)
    assert reading_where(recorder, lambda d: d["weight"] == 2_000 and d["tare"], "net")["tare"] == 5_000


def test_zero_takes_out_a_zero_error(scale):
    sim, driver, recorder, _ = scale
    sim.set_error(offset=40)
    reading_where(recorder, lambda d: d["weight"] == 40, "the zero error")
    driver.zero()
    reading_where(recorder, lambda d: d["weight"] == 0, "zero")


def test_refused_commands_raise_with_the_reason(scale):
    sim, driver, recorder, _ = scale
    sim.set_load(5_000)
    reading_where(recorder, lambda d: d["weight"] == 5_000, "the load")
    with pytest.raises(DeviceError, match="zero not possible: zero error"):
        driver.zero()  # 5 t is outside ±2 % of Max
    sim.set_load(-2_000)
    with pytest.raises(DeviceError, match="tare not possible: tare error"):
        driver.tare()
    with pytest.raises(DeviceError, match="preset tare: not supported by the sma protocol"):
        driver.preset_tare(100, "kg")
    assert driver.state == "connected"


def test_overload_and_underload_have_no_weight(scale):
    sim, _, recorder, _ = scale
    sim.set_load(70_000)
    assert reading_where(recorder, lambda d: d["status"] == "overload", "overload")["weight"] is None
    sim.set_load(-1_000)
    assert reading_where(recorder, lambda d: d["status"] == "underload", "underload")["weight"] is None


def test_raw_console_commands_answer_as_sent(scale):
    sim, driver, recorder, _ = scale
    sim.set_load(1_000)
    reading_where(recorder, lambda d: d["weight"] == 1_000, "the load")
    assert driver.send_command("M") == frame(" ", "1", "T", " ", "0", "kg")
    assert driver.send_command("X") == "?"
    assert driver.send_command("H").startswith(" 1g ")
    with pytest.raises(ValueError):
        driver.send_command("W\r\nZ")


def test_commands_from_several_threads_while_polling(scale):
    sim, driver, recorder, _ = scale
    sim.set_load(3_000)
    reading_where(recorder, lambda d: d["weight"] == 3_000, "the load")
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(driver.send_command("D"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert answers == ["    "] * 4
    reading_where(recorder, lambda d: d["weight"] == 3_000, "readings go on")


def test_garbage_is_counted_and_polling_goes_on(scale):
    sim, driver, recorder, _ = scale
    sim.send(b"\x00\xff garbage\r\n" + b"Z" * 100 + b"\r\n\nSMA:1/0\r")
    sim.set_load(1_500)
    reading_where(recorder, lambda d: d["weight"] == 1_500, "readings after garbage")
    assert driver.counters.drops >= 3
    assert driver.counters.drop_reasons["line too long"] == 1
    assert driver.state == "connected"


def test_a_scale_that_falls_silent_is_an_error_and_comes_back(scale):
    sim, driver, recorder, _ = scale
    driver.stream_timeout = 0.3
    answer = sim._do
    sim._do = lambda command: None  # the indicator hangs
    wait_for(lambda: driver.state == "error", message="error")
    assert "no weight from the scale" in driver.state_detail
    sim._do = answer
    wait_for(lambda: driver.state == "connected", message="connected again")
    assert driver.counters.reconnects == 1


def test_unplug_and_replug_reconnects(scale):
    sim, driver, recorder, port = scale
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected")
    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=3.0, message="connected again")
    sim.set_load(4_440)
    reading_where(recorder, lambda d: d["weight"] == 4_440, "readings after the return")
    assert driver.counters.reconnects == 1


def test_an_unanswering_device_is_an_error(recorder, stop_later):
    port = PtyPort(DeviceSimulator()).start()
    stop_later.append(port)
    driver = SmaScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status)
    driver.identify_timeout = 0.2
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "error", message="error")
    assert "no answer to 'A'" in driver.state_detail and "SMA" in driver.state_detail
    assert recorder.data() == []
    with pytest.raises(DeviceError):
        driver.zero(timeout=0.2)
