"""The stream driver: frame descriptions (templates, patterns, presets) checked
and read back, the presets against the frames the makers' manuals draw,
fuzzing, then the driver against its simulators over real ptys — readings,
garbage, an unplugged line (docs/protocols.md section 8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.simulators.ports import PtyPort
from drivers.simulators.stream import CardinalStreamSimulator, RiceLakeStreamSimulator, cardinal_frame, rice_lake_frame
from drivers.stream import (
    PRESETS,
    CardinalStreamScale,
    FrameError,
    FrameSpec,
    RiceLakeStreamScale,
    StreamFormatError,
    StreamScale,
    compile_template,
    parse_stream_frame,
    stream_reading,
)
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for


def read(preset: str, line: bytes) -> dict:
    spec = PRESETS[preset]
    return stream_reading(parse_stream_frame(spec, spec.regex(), line))


# ----- published frames ----------------------------------------------------------
# Rice Lake RLWS, <STX><POL><wwwwwww><UNIT><G/N><S><CR><LF> (the 482, 480 Legend, 680/682 and 920i manuals):
# polarity space/-, seven characters of weight, leading zeros as spaces; L K T G O; G N; space I M O Z.
@pytest.mark.parametrize("line, expected", [
    (b"\x02" b" " b"   1234" b"KG ", {"weight": 1234.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}),
    (b"\x02" b" " b"  12.50" b"LNM", {"weight": 12.5, "unit": "lb", "stable": False, "tare": None, "status": "ok"}),
    (b"\x02" b"-" b"    0.5" b"KG ", {"weight": -0.5, "unit": "kg", "stable": True, "tare": None, "status": "ok"}),
    (b"\x02" b" " b"   0.00" b"KGZ", {"weight": 0.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}),
    (b"\x02" b" " b"  70020" b"KGO", {"weight": None, "unit": "kg", "stable": False, "tare": None,
                                      "status": "overload"}),
    (b"\x02" b"-" b"     40" b"KGO", {"weight": None, "unit": "kg", "stable": False, "tare": None,
                                      "status": "underload"}),
    (b"\x02" b" " b"   16.0" b"OG ", {"weight": 1.0, "unit": "lb", "stable": True, "tare": None, "status": "ok"}),
    (b"\x02" b"-" b"     400" b"KGO", None),  # eight characters of weight: not this frame
])
def test_rice_lake_frames(line, expected):
    if expected is None:
        with pytest.raises(StreamFormatError):
            read("rice-lake", line)
    else:
        assert read("rice-lake", line) == expected


def test_rice_lake_invalid_weights_and_tons_are_dropped():
    with pytest.raises(StreamFormatError, match="invalid"):
        read("rice-lake", b"\x02    1234KGI")
    with pytest.raises(StreamFormatError, match="unit code 'T'"):
        read("rice-lake", b"\x02    1234TG ")  # "tons": short or metric, the manual does not say


# Cardinal as Rice Lake indicators send it: <CR><POL><wwwwww><S><SP><UNIT><SP><G/N><SP><SP><ETX>,
# polarity + or -, six digits with leading zeros and the decimal point (after them if not embedded).
@pytest.mark.parametrize("line, expected", [
    (b"\r+001234.  kg g  ", {"weight": 1234.0, "stable": True, "status": "ok", "unit": "kg"}),
    (b"\r+0012.34m lb n  ", {"weight": 12.34, "stable": False, "status": "ok", "unit": "lb"}),
    (b"\r-000012.o kg g  ", {"weight": None, "status": "underload"}),
    (b"\r+070020.o kg g  ", {"weight": None, "status": "overload"}),
])
def test_cardinal_frames(line, expected):
    reading = read("cardinal", line)
    assert {key: reading[key] for key in expected} == expected


# Cardinal 190/225 SB-400 (scoreboard): <s><xxxxxx><d><uu><m><cc><CR>; OC, CZ, MO, EE.
@pytest.mark.parametrize("line, expected", [
    (b" 001234kgG  ", {"weight": 1234.0, "stable": True, "status": "ok"}),
    (b" 01234.5kgNMO", {"weight": 1234.5, "stable": False, "status": "ok"}),
    (b"-000020lbGCZ", {"weight": -20.0, "unit": "lb", "status": "ok"}),
    (b" 999999kgGOC", {"weight": None, "status": "overload"}),
])
def test_cardinal_sb400_frames(line, expected):
    reading = read("cardinal-sb400", line)
    assert {key: reading[key] for key in expected} == expected


def test_the_simulators_lay_frames_out_as_the_manuals_draw_them():
    assert rice_lake_frame(1234.5, decimals=1, status="M") == b"\x02  1234.5KGM\r\n"
    assert rice_lake_frame(-20, net=True) == b"\x02-     20KN \r\n"
    assert cardinal_frame(1234) == b"\r+001234.  kg g  \x03"
    assert cardinal_frame(-12.5, decimals=1, unit="lb", net=True, status="m") == b"\r-00012.5m lb n  \x03"


# ----- describing a frame ----------------------------------------------------------
def test_a_template_becomes_fields():
    spec = FrameSpec(template="<STX>W:{sign:1}{weight} {unit:2},{status:2}")
    frame = parse_stream_frame(spec, spec.regex(), b"\x02W:-  12.5 kg,MO")
    assert (frame["weight"], frame["unit"], frame["motion"]) == (-12.5, "kg", True)


def test_a_pattern_with_named_fields_in_either_syntax():
    for pattern in (r"(?P<weight>[0-9.]+) (?P<unit>kg|lb)(?P<status>[ M])",
                    r"(?<weight>[0-9.]+) (?<unit>kg|lb)(?<status>[ M])"):
        spec = FrameSpec(pattern=pattern)
        assert stream_reading(parse_stream_frame(spec, spec.regex(), b"120.5 lbM"))["weight"] == 120.5


def test_implied_decimals_and_a_tare_field():
    spec = FrameSpec(template="{mode:1}{weight:6}{tare:6}", unit="kg", decimals=2)
    reading = stream_reading(parse_stream_frame(spec, spec.regex(), b"N001250000500"))
    assert reading == {"weight": 12.5, "unit": "kg", "stable": True, "tare": 5.0, "status": "ok"}


@pytest.mark.parametrize("table, key", [
    ({}, "template"),
    ({"template": "{weight}", "pattern": "(?P<weight>.)"}, "template"),
    ({"template": "{weight}{colour}", "unit": "kg"}, "template"),
    ({"template": "{weight}{weight}", "unit": "kg"}, "template"),
    ({"template": "{weight:7}"}, "unit"),
    ({"pattern": "(?P<unit>kg)"}, "pattern"),
    ({"pattern": "(?P<weight>[0-9]+)(?P<speed>.)", "unit": "kg"}, "pattern"),
    ({"pattern": "(?P<weight>(\\d+)+)", "unit": "kg"}, "pattern"),
    ({"pattern": "(?=(a*)*b)(?P<weight>[0-9]+)", "unit": "kg"}, "pattern"),
    ({"pattern": "(?P<weight>[", "unit": "kg"}, "pattern"),
    ({"template": "{weight}", "unit": "stone"}, "unit"),
    ({"template": "{weight}{unit:2}", "units": {"kg": "carat"}}, "units"),
    ({"template": "{weight}", "unit": "kg", "end": "eot"}, "end"),
    ({"template": "{weight}", "unit": "kg", "decimals": 9}, "decimals"),
    ({"template": "{weight}", "unit": "kg", "colour": "red"}, "colour"),
    ({"template": "{weight}", "unit": "kg", "motion": "M"}, "motion"),
    ({"preset": "rice-lake", "unit": "kg"}, "preset"),
    ({"preset": "toledo"}, "preset"),
])
def test_descriptions_that_cannot_work_name_their_setting(table, key):
    with pytest.raises(FrameError) as caught:
        FrameSpec.from_table(table)
    assert caught.value.key == key


def test_descriptions_read_back_from_their_table():
    for table in ({"preset": "cardinal"},
                  {"template": "<STX>{weight:8}{unit:2}", "units": {"KG": "kg"}, "end": "etx"},
                  {"pattern": "(?P<weight>[0-9]+)", "unit": "lb", "decimals": 1, "motion": ["D"]}):
        spec = FrameSpec.from_table(table)
        assert spec.as_table() == table
        assert FrameSpec.from_table(spec.as_table()) == spec


# ----- fuzzing ------------------------------------------------------------------------
@given(st.binary(max_size=80), st.sampled_from(sorted(PRESETS)))
def test_any_line_raises_only_a_format_error(line, preset):
    try:
        read(preset, line)
    except (StreamFormatError, ValueError):
        pass


@given(st.text(max_size=60))
def test_any_template_either_compiles_or_says_why(template):
    try:
        FrameSpec(template=template, unit="kg")
    except FrameError:
        pass
    compile_template(template.replace("{", "").replace("}", ""))


@given(st.integers(-99999, 999999), st.integers(0, 2), st.booleans(), st.sampled_from([" ", "M", "Z"]))
def test_rice_lake_frames_round_trip(count, decimals, net, status):
    weight = count / 10 ** decimals
    try:
        line = rice_lake_frame(weight, net=net, status=status, decimals=decimals)
    except ValueError:
        return
    reading = read("rice-lake", line[:-2])
    assert reading["weight"] == pytest.approx(weight) and reading["stable"] == (status != "M")


@given(st.lists(st.binary(max_size=40), max_size=10))
def test_random_bytes_never_break_the_driver(chunks):
    driver = StreamScale("loop://", device_id="stream-fuzz")
    for chunk in chunks:
        driver.handle_bytes(chunk)


# ----- end to end on a pty -------------------------------------------------------------------
@pytest.fixture
def stream(recorder, stop_later, tmp_path):
    def start(sim, driver_class, **options):
        port = PtyPort(sim, link=tmp_path / "by-id-stream").start()
        stop_later.append(port)
        driver = driver_class(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status,
                              device_id="wb-stream", **options)
        stop_later.append(driver)
        driver.start()
        wait_for(lambda: driver.state == "connected", message="connected")
        return driver, port
    return start


@pytest.mark.parametrize("sim_class, driver_class", [(RiceLakeStreamSimulator, RiceLakeStreamScale),
                                                     (CardinalStreamSimulator, CardinalStreamScale)])
def test_presets_read_their_indicators(stream, recorder, sim_class, driver_class):
    sim = sim_class()
    sim.model.settle_seconds = 0.3
    driver, _ = stream(sim, driver_class)
    sim.set_load(24_560, settle=False)
    reading_where(recorder, lambda d: not d["stable"], "motion")
    data = reading_where(recorder, lambda d: d["stable"] and d["weight"] == 24_560, "the load, settled")
    assert data == {"weight": 24_560.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}
    sim.set_load(70_000)
    reading_where(recorder, lambda d: d["status"] == "overload", "overload")
    assert driver.counters.drops == 0


def test_a_described_frame_reads_the_device(stream, recorder):
    sim = CardinalStreamSimulator()
    spec = FrameSpec.from_table({"template": "<CR>{sign:1}{weight:7}{status:1} {unit:2} {mode:1}  ", "end": "etx",
                                 "motion": ["m"], "out_of_range": ["o"], "net": ["n"]})
    stream(sim, StreamScale, frame=spec)
    sim.set_load(3_000)
    reading_where(recorder, lambda d: d["weight"] == 3_000, "the load")


def test_a_wrong_description_drops_every_frame_and_says_why(stream, recorder):
    sim = RiceLakeStreamSimulator()
    driver, _ = stream(sim, StreamScale, frame=PRESETS["cardinal"])
    wait_for(lambda: driver.counters.drops >= 1, message="drops")
    assert recorder.data() == []
    assert set(driver.counters.drop_reasons) <= {"does not match the frame", "line too long"}


def test_garbage_is_counted_and_reading_goes_on(stream, recorder):
    sim = RiceLakeStreamSimulator()
    driver, _ = stream(sim, RiceLakeStreamScale)
    sim.send(b"\x00\xff garbage\r\n" + b"7" * 300 + b"\r\n\x02    12XXG \r\n")
    sim.set_load(1_500)
    reading_where(recorder, lambda d: d["weight"] == 1_500, "readings after garbage")
    assert driver.counters.drop_reasons["line too long"] == 1
    assert driver.counters.drops >= 3
    assert driver.state == "connected"


def test_unplug_and_replug_reconnects(stream, recorder):
    sim = RiceLakeStreamSimulator()
    driver, port = stream(sim, RiceLakeStreamScale)
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected")
    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=2.0, message="connected again")
    sim.set_load(4_440)
    reading_where(recorder, lambda d: d["weight"] == 4_440, "readings after the return")
    assert driver.counters.reconnects == 1
