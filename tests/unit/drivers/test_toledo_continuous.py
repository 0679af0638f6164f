"""The toledo-continuous driver: the published vectors and status bits of
docs/protocols.md section 2, the framer (checksum or not, split anywhere,
garbage), fuzzed, and the driver end to end on a real pty."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from drivers.base import DeviceError
from drivers.simulators.ports import PtyPort
from drivers.simulators.toledo_continuous import ToledoContinuousSimulator
from drivers.toledo_continuous import (
    ToledoContinuousScale,
    ToledoFormatError,
    ToledoFramer,
    encode_toledo_frame,
    parse_toledo_frame,
    toledo_checksum,
    toledo_reading,
)
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for

GROSS_12340 = bytes.fromhex("02 2a 30 20 30 31 32 33 34 30 30 30 30 30 30 30 0d 2d")
NET_10340 = bytes.fromhex("02 2a 39 20 30 31 30 33 34 30 30 30 32 30 30 30 0d 24")


def frame(swa: int = 0x2A, swb: int = 0x30, swc: int = 0x20, weight: bytes = b"012340",
          tare: bytes = b"000000", checksum: bool = False) -> bytes:
    body = bytes([0x02, swa, swb, swc]) + weight + tare + b"\r"
    return body + bytes([toledo_checksum(body)]) if checksum else body


# ----- the published vectors --------------------------------------------
def test_vector_gross_12340_kg_stable():
    parsed = parse_toledo_frame(GROSS_12340)
    assert (parsed["weight"], parsed["tare"], parsed["unit"], parsed["net"], parsed["stable"]) == \
        (12340.0, 0.0, "kg", False, True)
    assert parsed["checksummed"] and parsed["increment"] == 1
    assert toledo_reading(parsed) == {"weight": 12340.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}


def test_vector_net_10340_kg_in_motion_tare_2000():
    parsed = parse_toledo_frame(NET_10340)
    assert (parsed["weight"], parsed["tare"], parsed["net"], parsed["stable"]) == (10340.0, 2000.0, True, False)
    assert toledo_reading(parsed) == {"weight": 10340.0, "unit": "kg", "stable": False, "tare": 2000.0,
                                      "status": "ok"}


@pytest.mark.parametrize("vector", [GROSS_12340, NET_10340])
def test_checksum_rule_low_7_bits_of_all_18_sum_to_zero(vector):
    assert sum(b & 0x7F for b in vector) % 128 == 0
    assert toledo_checksum(vector[:17]) == vector[17]
    assert parse_toledo_frame(vector[:17])["weight"] == parse_toledo_frame(vector)["weight"]
    with pytest.raises(ToledoFormatError, match="checksum"):
        parse_toledo_frame(vector[:17] + bytes([(vector[17] + 1) & 0x7F]))


def test_the_encoder_reproduces_the_vectors():
    assert encode_toledo_frame(12340) == GROSS_12340
    assert encode_toledo_frame(10340, 2000, net=True, motion=True) == NET_10340
    assert encode_toledo_frame(12340, checksum=False) == GROSS_12340[:17]


# ----- status bytes -----------------------------------------------------
@pytest.mark.parametrize("code, weight, increment", [
    (0, 123400.0, 100), (1, 12340.0, 10), (2, 1234.0, 1), (3, 123.4, 0.1), (4, 12.34, 0.01),
    (5, 1.234, 0.001), (6, 0.1234, 0.0001), (7, 0.01234, 0.00001)])
def test_decimal_position(code, weight, increment):
    parsed = parse_toledo_frame(frame(swa=0x28 | code, weight=b"001234"))
    assert parsed["weight"] == weight
    assert parsed["increment"] == increment


@pytest.mark.parametrize("bits, count_by", [(0b01, 1), (0b10, 2), (0b11, 5), (0b00, None)])
def test_count_by(bits, count_by):
    assert parse_toledo_frame(frame(swa=0x22 | bits << 3))["increment"] == count_by


def test_negative_out_of_range_motion_and_units():
    assert parse_toledo_frame(frame(swb=0x32))["weight"] == -12340
    assert toledo_reading(parse_toledo_frame(frame(swb=0x34))) == {
        "weight": None, "unit": "kg", "stable": True, "tare": None, "status": "overload"}
    assert toledo_reading(parse_toledo_frame(frame(swb=0x36)))["status"] == "underload"
    assert toledo_reading(parse_toledo_frame(frame(swb=0x38)))["stable"] is False
    assert toledo_reading(parse_toledo_frame(frame(swb=0x20)))["unit"] == "lb"
    assert parse_toledo_frame(frame(swb=0x70))["power_up_not_zeroed"]


@pytest.mark.parametrize("swc, unit, weight", [(0x21, "g", 12340.0), (0x22, "t", 12340.0), (0x23, "lb", 771.25)])
def test_swc_overrides_the_unit_and_oz_becomes_lb(swc, unit, weight):
    reading = toledo_reading(parse_toledo_frame(frame(swc=swc, swb=0x21, tare=b"000160")))
    assert (reading["unit"], reading["weight"]) == (unit, weight)
    assert reading["tare"] == (10.0 if unit == "lb" else 160.0)


def test_swc_flags():
    parsed = parse_toledo_frame(frame(swc=0x38))
    assert parsed["print_request"] and parsed["expanded"] and parsed["unit"] == "kg"


def test_bit_7_is_parity_and_ignored():
    with_parity = bytes(b | 0x80 for b in GROSS_12340)
    assert parse_toledo_frame(with_parity) == parse_toledo_frame(GROSS_12340)


def test_always_bits_are_dont_care():
    assert parse_toledo_frame(frame(swa=0x4A, swb=0x10, swc=0x40))["weight"] == 12340


def test_leading_spaces_are_zeros():
    assert parse_toledo_frame(frame(weight=b" 12340", tare=b"      "))["weight"] == 12340


@pytest.mark.parametrize("bad, reason", [
    (frame()[:16], "17 or 18"), (b"\x03" + frame()[1:], "STX"), (frame()[:16] + b"\n", "CR"),
    (frame(weight=b"01x340"), "weight field"), (frame(tare=b"00 000"), "tare field"),
    (frame(swc=0x24), "unit code 4")])
def test_malformed_frames_say_why(bad, reason):
    with pytest.raises(ToledoFormatError, match=reason):
        parse_toledo_frame(bad)


# ----- the framer -------------------------------------------------------
class Drops:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def __call__(self, reason: str, raw: bytes) -> None:
        self.reasons.append(reason)


def run(framer: ToledoFramer, chunks: list[bytes]) -> list[bytes]:
    found = [f for chunk in chunks for f in framer.feed(chunk)]
    return found + list(framer.flush())


@pytest.mark.parametrize("checksum", [None, True])
def test_checksummed_stream(checksum):
    drops = Drops()
    framer = ToledoFramer(drops, checksum)
    assert run(framer, [GROSS_12340 + NET_10340 + GROSS_12340]) == [GROSS_12340, NET_10340, GROSS_12340]
    assert framer.checksum is True and drops.reasons == []


@pytest.mark.parametrize("checksum", [None, False])
def test_stream_without_checksum(checksum):
    drops = Drops()
    framer = ToledoFramer(drops, checksum)
    frames = [GROSS_12340[:17], NET_10340[:17], GROSS_12340[:17]]
    assert run(framer, [b"".join(frames)]) == frames
    assert framer.checksum is False and drops.reasons == []


def test_only_the_first_frame_waits_while_learning():
    framer = ToledoFramer(Drops())
    assert list(framer.feed(GROSS_12340[:17])) == []          # checksum or not? unknown yet
    assert list(framer.feed(NET_10340[:17])) == [GROSS_12340[:17], NET_10340[:17]]  # learned: no wait
    framer = ToledoFramer(Drops())
    assert list(framer.feed(GROSS_12340)) == [GROSS_12340]    # learned from the checksum at once


def test_a_quiet_line_ends_a_frame_without_checksum():
    framer = ToledoFramer(Drops())
    assert list(framer.feed(GROSS_12340[:17])) == []
    assert list(framer.flush()) == [GROSS_12340[:17]]
    assert framer.checksum is False


def test_a_checksum_that_equals_stx():
    f = frame(weight=b"899999", checksum=True)
    assert f[-1] == 0x02
    framer = ToledoFramer(Drops(), checksum=True)
    assert run(framer, [f + f + f]) == [f, f, f]
    found = run(ToledoFramer(Drops()), [GROSS_12340 + f + f + GROSS_12340])  # learned first, then 0x02 is no trap
    assert found == [GROSS_12340, f, f, GROSS_12340]


def test_noise_and_broken_frames_are_dropped_and_the_next_frame_found():
    drops = Drops()
    framer = ToledoFramer(drops, checksum=True)
    corrupt = GROSS_12340[:5] + b"9" + GROSS_12340[6:]
    stream = b"xx\x00" + GROSS_12340[:9] + corrupt + b"\x02garbage" + NET_10340
    assert run(framer, [stream]) == [NET_10340]
    assert drops.reasons == ["noise between frames", "malformed frame", "checksum mismatch", "malformed frame"]


def test_a_learned_setting_follows_a_reconfigured_indicator():
    framer = ToledoFramer(Drops())
    run(framer, [GROSS_12340 * 3])
    assert framer.checksum is True
    found = run(framer, [GROSS_12340[:17] * 6])
    assert framer.checksum is False and len(found) >= 3


def test_the_buffer_stays_bounded():
    drops = Drops()
    framer = ToledoFramer(drops)
    for _ in range(100):
        assert list(framer.feed(b"\x02" + b"A" * 1000)) == []
    assert len(framer._buffer) <= 18
    assert run(framer, [GROSS_12340]) == [GROSS_12340]


# ----- fuzzed -------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_random_bytes_never_raise_from_the_parser(data):
    try:
        toledo_reading(parse_toledo_frame(data))
    except ToledoFormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=50), max_size=10), st.sampled_from([None, True, False]))
def test_random_bytes_never_raise_from_the_framer(chunks, checksum):
    framer = ToledoFramer(Drops(), checksum)
    for found in run(framer, chunks):
        assert len(found) in (17, 18)
    assert len(framer._buffer) <= 18


frames_strategy = st.lists(st.builds(
    encode_toledo_frame, st.integers(-99999, 999999), st.integers(0, 999999),
    unit=st.sampled_from(["kg", "lb", "g", "t", "oz"]), net=st.booleans(), motion=st.booleans(),
    out_of_range=st.booleans()), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(frames_strategy, st.sampled_from([None, True, False]), st.booleans(), st.data())
def test_frames_split_anywhere_are_all_found(frames, configured, with_checksum, data):
    assume(configured is None or configured == with_checksum)
    # learning, a first checksum of 0x02 reads as the next STX: documented, not tested here
    assume(not (configured is None and with_checksum and frames[0][-1] == 0x02))
    frames = [f if with_checksum else f[:17] for f in frames]
    stream = b"".join(frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)])]
    drops = Drops()
    assert run(ToledoFramer(drops, configured), chunks) == frames
    assert drops.reasons == []


# ----- end to end on a pty ----------------------------------------------
@pytest.fixture
def indicator(recorder, stop_later):
    sim = ToledoContinuousSimulator()
    sim.model.settle_seconds = 0.5
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = ToledoContinuousScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status)
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    return sim, driver, recorder


def test_readings_carry_the_contract_fields(indicator):
    sim, _, recorder = indicator
    sim.set_load(12340)
    assert reading_where(recorder, lambda d: d["weight"] == 12340, "12340 kg") == {
        "weight": 12340.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}


def test_motion_then_stable(indicator):
    sim, _, recorder = indicator
    sim.set_load(25000, settle=False)
    reading_where(recorder, lambda d: not d["stable"], "in motion")
    assert reading_where(recorder, lambda d: d["stable"], "settled")["weight"] == 25000


def test_front_panel_tare_and_zero_show_in_the_readings(indicator):
    sim, _, recorder = indicator
    sim.set_load(9000)
    assert sim.tare() == "A"
    sim.set_load(11000)
    assert reading_where(recorder, lambda d: d["weight"] == 2000, "net")["tare"] == 9000
    sim.set_load(0)
    sim.set_error(offset=60)
    assert sim.zero() == "A"
    assert reading_where(recorder, lambda d: d["weight"] == 0 and d["tare"] is None, "zeroed, gross")


def test_overload_and_underload(indicator):
    sim, _, recorder = indicator
    sim.set_load(61000)
    assert reading_where(recorder, lambda d: d["status"] == "overload", "overload")["weight"] is None
    sim.set_load(-1000)
    reading_where(recorder, lambda d: d["status"] == "underload", "underload")


def test_garbage_is_counted_and_readings_go_on(indicator):
    sim, driver, recorder = indicator
    sim.send(b"\xff\xfegarbage" + GROSS_12340[:10])
    sim.set_load(3000)
    reading_where(recorder, lambda d: d["weight"] == 3000, "readings after garbage")
    assert driver.counters.drops >= 2
    assert driver.state == "connected"


def test_commands_are_refused_by_this_protocol(indicator):
    _, driver, _ = indicator
    for call in (driver.zero, driver.tare, driver.clear_tare, lambda: driver.preset_tare(1, "kg"),
                 driver.identify, lambda: driver.send_command("Z"), driver.adjust_internal):
        with pytest.raises(DeviceError, match="not supported by the toledo-continuous protocol"):
            call()


def test_an_indicator_without_checksum(recorder, stop_later):
    sim = ToledoContinuousSimulator(checksum=False)
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = ToledoContinuousScale(port.path, on_reading=recorder.on_reading)
    stop_later.append(driver)
    driver.start()
    sim.set_load(4440)
    reading_where(recorder, lambda d: d["weight"] == 4440, "a reading")
    assert driver._framer.checksum is False and driver.counters.drops == 0
