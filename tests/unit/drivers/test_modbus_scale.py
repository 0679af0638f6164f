"""The modbus driver: register maps checked and read back, the Laumas map
against its manual's register list, the registers-to-reading rules fuzzed,
then the driver against its simulator over real ptys (RTU) and a TCP port
(MBAP): readings, motion, net, sign, overload, a faulted terminal, a value
latched by a command, garbage, silence and an unplugged line
(docs/protocols.md section 9)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import DeviceError
from drivers.modbus_scale import (
    PRESETS,
    ModbusFormatError,
    ModbusScale,
    Register,
    RegisterMap,
    RegisterMapError,
    modbus_reading,
    read_registers,
)
from drivers.simulators.device import DeviceSimulator
from drivers.simulators.modbus_scale import ModbusScaleSimulator, encode_value, rtu_frame
from drivers.simulators.ports import PtyPort, TcpPort
from tests.support.drivers import reading_where
from tests.support.waiting import wait_for

LAUMAS = PRESETS["laumas"]
# a terminal with a signed weight, a motion bit, a tare register and a value valid only after a command
LATCHED = RegisterMap.from_table({
    "weight": {"address": 20, "type": "int32", "scale": 0.5}, "tare": {"address": 22, "type": "int32"},
    "status": 24, "bits": {"motion": 0, "net": 1, "overload": 2, "underload": 3, "valid": 15},
    "unit": "kg", "unit_id": 7, "before_read": {"address": 30, "value": 1}})


# ----- the Laumas map (TLU manual: 40007 status, 40010-40011 net weight H/L; LCB manual: status bits) ---------
def laumas(status: int, high: int, low: int) -> dict:
    registers = [0] * 5
    registers[0] = status          # 40007
    registers[3], registers[4] = high, low  # 40010, 40011
    return modbus_reading(read_registers(LAUMAS, 6, registers), "kg")


def test_laumas_registers_become_readings():
    assert laumas(1 << 11, 0x0001, 0x2345) == {"weight": 74565.0, "unit": "kg", "stable": True, "tare": None,
                                               "status": "ok"}          # bit 11: weight stability
    assert laumas(0, 0, 500)["stable"] is False
    assert laumas(1 << 11 | 1 << 8, 0, 500)["weight"] == -500.0         # bit 8: net weight negative sign
    assert laumas(1 << 2, 0, 0)["status"] == "overload"                  # bit 2: Max exceeded by 9 divisions
    assert laumas(1 << 3, 0, 0)["status"] == "overload"                  # bit 3: gross above 110 % of full scale
    for error in (0, 1):                                                 # load cell error, AD converter malfunction
        with pytest.raises(ModbusFormatError, match="invalid"):
            laumas(1 << error | 1 << 11, 0, 500)


def test_a_preset_takes_the_installation_settings():
    regmap = RegisterMap.from_table({"preset": "laumas", "unit_id": 5, "unit": "lb", "scale": 0.01})
    assert (regmap.unit_id, regmap.unit, regmap.weight.scale, regmap.status) == (5, "lb", 0.01, 6)
    assert regmap.as_table() == {"preset": "laumas", "unit_id": 5, "unit": "lb", "scale": 0.01}
    assert RegisterMap.from_table(regmap.as_table()) == regmap


def test_maps_read_back_from_their_table():
    assert RegisterMap.from_table(LATCHED.as_table()) == LATCHED
    assert LATCHED.span() == (20, 5)


@pytest.mark.parametrize("table, key", [
    ({"preset": "mettler"}, "preset"),
    ({"preset": "laumas", "status": 3}, "status"),
    ({"unit": "kg", "status": 0, "bits": {"stable": 0}}, "weight"),
    ({"weight": {"address": 0}, "status": 1, "bits": {"stable": 0}}, "unit"),
    ({"weight": {"address": 0}, "unit": "kg"}, "bits"),                          # no way to tell motion
    ({"weight": {"address": 0}, "unit": "kg", "status": 1, "bits": {"net": 1}}, "bits"),
    ({"weight": {"address": 0, "type": "int24"}, "unit": "kg", "status": 2, "bits": {"stable": 0}}, "weight.type"),
    ({"weight": {"address": -1}, "unit": "kg", "status": 2, "bits": {"stable": 0}}, "weight.address"),
    ({"weight": {"address": 0, "scale": 0}, "unit": "kg", "status": 2, "bits": {"stable": 0}}, "weight.scale"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"stable": 16}}, "bits.stable"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"colour": 1, "stable": 0}}, "bits.colour"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 200, "bits": {"stable": 0}}, "weight"),  # too far apart
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"stable": 0}, "unit_id": 0}, "unit_id"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"stable": 0}, "framing": "ascii"}, "framing"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"stable": 0}, "speed": 1}, "speed"),
    ({"weight": {"address": 0}, "unit": "kg", "status": 2, "bits": {"stable": 0},
      "before_read": {"address": 1}}, "before_read"),
])
def test_maps_that_cannot_work_name_their_setting(table, key):
    with pytest.raises(RegisterMapError) as caught:
        RegisterMap.from_table(table)
    assert caught.value.key == key


@pytest.mark.parametrize("type_, order, value", [("int16", "big", -1234), ("uint16", "big", 65000),
                                                 ("int32", "little", -70000), ("uint32", "big", 4_000_000),
                                                 ("float32", "little", 12.5)])
def test_register_types_and_word_orders(type_, order, value):
    register = Register(0, type_, order)
    assert register.value(0, encode_value(register, value)) == value


# ----- fuzzing -------------------------------------------------------------------------
@given(st.lists(st.integers(0, 0xFFFF), min_size=5, max_size=5))
def test_any_registers_give_a_reading_or_a_format_error(registers):
    for regmap, start in ((LAUMAS, 6), (LATCHED, 20)):
        try:
            reading = modbus_reading(read_registers(regmap, start, registers), "kg")
        except ModbusFormatError:
            continue
        assert reading["status"] in ("ok", "overload", "underload")
        assert (reading["weight"] is None) == (reading["status"] != "ok")


@given(st.lists(st.binary(max_size=40), max_size=8))
def test_random_bytes_never_break_the_driver(chunks):
    driver = ModbusScale("loop://", device_id="modbus-fuzz")
    driver._send = lambda pdu: None  # nothing on the line: only what arrives counts
    for chunk in chunks:
        driver.handle_bytes(chunk)
    assert driver.counters.frames == 0


# ----- end to end -------------------------------------------------------------------------
@pytest.fixture
def terminal(recorder, stop_later, tmp_path):
    def start(sim: ModbusScaleSimulator, tcp: bool = False):
        port = (TcpPort(sim) if tcp else PtyPort(sim, link=tmp_path / "by-id-modbus")).start()
        stop_later.append(port)
        driver = ModbusScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status,
                             device_id="wb-modbus", registers=sim.map)
        stop_later.append(driver)
        driver.start()
        wait_for(lambda: driver.state == "connected", message="connected")
        return driver, port
    return start


def test_a_laumas_terminal_is_read_over_rtu(terminal, recorder):
    sim = ModbusScaleSimulator()
    sim.model.settle_seconds = 0.3
    driver, _ = terminal(sim)
    assert driver.identity["protocol"] == "Modbus RTU" and "laumas" in driver.identity["model"]
    sim.set_load(24_560, settle=False)
    reading_where(recorder, lambda d: not d["stable"], "motion")
    data = reading_where(recorder, lambda d: d["stable"] and d["weight"] == 24_560, "the load, settled")
    assert data == {"weight": 24_560.0, "unit": "kg", "stable": True, "tare": None, "status": "ok"}
    sim.set_load(-200)
    reading_where(recorder, lambda d: d["weight"] == -200, "a negative weight from the sign bit")
    sim.set_load(70_000)
    reading_where(recorder, lambda d: d["status"] == "overload", "overload")
    assert driver.counters.drops == 0


def test_a_faulted_terminal_gives_no_weight(terminal, recorder):
    sim = ModbusScaleSimulator()
    driver, _ = terminal(sim)
    sim.fault = True
    wait_for(lambda: driver.counters.drops >= 2, message="drops")
    seen = len(recorder.data())
    sim.fault = False
    sim.set_load(1_000)
    reading_where(recorder, lambda d: d["weight"] == 1_000, "readings again")
    assert all(d["weight"] != 1_000 for d in recorder.data()[:seen])
    assert any("invalid" in reason for reason in driver.counters.drop_reasons)


def test_a_value_latched_by_a_command_over_tcp(terminal, recorder):
    sim = ModbusScaleSimulator(LATCHED)
    sim.model.settle_seconds = 0.2
    regmap = RegisterMap.from_table({**LATCHED.as_table(), "framing": "tcp"})
    sim.map = regmap
    driver, _ = terminal(sim, tcp=True)
    assert driver.identity["protocol"] == "Modbus TCP"
    sim.set_load(5_000)
    sim.model.take_tare()
    sim.set_load(8_000)
    data = reading_where(recorder, lambda d: d["weight"] == 3_000, "net after the latch")
    assert data["tare"] == 5_000 and data["stable"] is True
    received = bytes(sim.received)
    assert received.count(b"\x07\x06\x00\x1e\x00\x01") >= 2  # unit 7, write register 30 = 1, before each read


def test_garbage_is_counted_and_polling_goes_on(terminal, recorder):
    sim = ModbusScaleSimulator()
    driver, _ = terminal(sim)
    sim.send(b"\x00\xff garbage \x01\x03")
    sim.set_load(1_500)
    reading_where(recorder, lambda d: d["weight"] == 1_500, "readings after garbage")
    assert driver.counters.drops >= 1
    assert driver.state == "connected"


def test_a_terminal_that_falls_silent_is_an_error_and_comes_back(terminal, recorder):
    sim = ModbusScaleSimulator()
    driver, _ = terminal(sim)
    driver.stream_timeout = 0.3
    sim.receive = lambda data: None  # the terminal hangs: it hears nothing
    wait_for(lambda: driver.state == "error", message="error")
    assert "no weight from the terminal" in driver.state_detail
    del sim.receive
    wait_for(lambda: driver.state == "connected", message="connected again")


def test_unplug_and_replug_reconnects(terminal, recorder):
    sim = ModbusScaleSimulator()
    driver, port = terminal(sim)
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected")
    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=3.0, message="connected again")
    sim.set_load(4_440)
    reading_where(recorder, lambda d: d["weight"] == 4_440, "readings after the return")
    assert driver.counters.reconnects == 1


def test_the_wrong_unit_id_is_an_error_that_says_so(recorder, stop_later):
    sim = ModbusScaleSimulator(RegisterMap.from_table({"preset": "laumas", "unit_id": 9}))
    port = PtyPort(sim).start()
    stop_later.append(port)
    driver = ModbusScale(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status)
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "error", message="error")
    assert "no answer from Modbus unit 1" in driver.state_detail
    assert recorder.data() == []
    with pytest.raises(DeviceError):
        driver.zero()


def test_an_unanswering_port_is_an_error(recorder, stop_later):
    port = PtyPort(DeviceSimulator()).start()
    stop_later.append(port)
    driver = ModbusScale(port.path, on_status=recorder.on_status)
    stop_later.append(driver)
    driver.start()
    wait_for(lambda: driver.state == "error", message="error")
    assert "Modbus RTU, unit 1, at 9600 baud" in driver.state_detail


def test_answers_from_other_units_are_dropped_under_one_reason():
    driver = ModbusScale("loop://", device_id="modbus-bus")
    sent: list[bytes] = []
    driver.write = sent.append  # the bus, seen from the master's side
    for unit in (2, 3, 4, 5):  # other terminals on the bus answer while ours is asked
        driver._send(driver._read_request())
        driver.handle_bytes(rtu_frame(unit, bytes.fromhex("030A") + bytes(10)))
    assert driver.counters.drops == 4
    assert driver.counters.drop_reasons == {"answer from another unit or transaction": 4}
    assert driver.counters.frames == 0
