"""The Modbus terminal simulator answers as the Modbus specifications say,
checked over a real pty with plain pyserial and over TCP with a plain
socket (no lanebox driver, no pymodbus): the application protocol's own
example of function 03, the RTU CRC, exception answers, silence for a
garbled frame or another unit, the echo of a write, a value latched by a
command, and the MBAP header (docs/protocols.md section 9)."""

from __future__ import annotations

import socket
import struct
import time

import pytest
import serial

from drivers.modbus_scale import RegisterMap
from drivers.simulators.modbus_scale import ModbusScaleSimulator, crc16, rtu_frame
from drivers.simulators.ports import PtyPort, TcpPort
from tests.support.waiting import wait_for


def test_the_crc_of_the_serial_line_guide():
    # CRC-16 (0xA001 reflected, from 0xFFFF), sent low byte first: the frame "read one holding register
    # at 0 from unit 1" as Modbus tools quote it, and the exception frame for an illegal address.
    assert rtu_frame(1, bytes.fromhex("0300000001")).hex(" ") == "01 03 00 00 00 01 84 0a"
    assert rtu_frame(1, bytes.fromhex("8302")).hex(" ") == "01 83 02 c0 f1"
    assert crc16(b"") == 0xFFFF


class Line:
    def __init__(self, path: str) -> None:
        self.port = serial.Serial(path, 9600, timeout=0.05)

    def close(self) -> None:
        self.port.close()

    def ask(self, unit: int, pdu: bytes, answer_length: int | None = None) -> bytes:
        self.port.write(rtu_frame(unit, pdu))
        received = bytearray()

        def complete() -> bool:
            received.extend(self.port.read(256))
            return answer_length is not None and len(received) >= answer_length
        wait_for(complete, message="an answer")
        return bytes(received)

    def silent_after(self, frame: bytes, seconds: float = 0.3) -> bool:
        self.port.write(frame)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.port.read(1):
                return False
        return True


@pytest.fixture
def rtu(stop_later):
    sim = ModbusScaleSimulator()
    port = PtyPort(sim).start()
    stop_later.append(port)
    line = Line(port.path)
    stop_later.append(line)
    return sim, line


def test_the_application_protocol_example_of_function_03(rtu):
    sim, line = rtu
    sim.table[107:110] = [0x022B, 0x0000, 0x0064]  # registers 108-110 hold 555, 0, 100
    answer = line.ask(1, bytes.fromhex("03006B0003"), answer_length=11)
    assert answer == rtu_frame(1, bytes.fromhex("0306022B00000064"))


def test_the_weight_sits_where_the_laumas_map_says(rtu):
    sim, line = rtu
    sim.set_load(74_560)
    answer = line.ask(1, bytes.fromhex("0300060005"), answer_length=15)  # 40007-40011
    status, _, _, high, low = struct.unpack(">5H", answer[3:13])
    assert status & 1 << 11 and (high << 16 | low) == 74_560
    sim.set_load(-400)
    answer = line.ask(1, bytes.fromhex("0300060005"), answer_length=15)
    status, *_, low = struct.unpack(">5H", answer[3:13])
    assert status & 1 << 8 and low == 400  # unsigned, the sign in bit 8


def test_exceptions(rtu):
    _, line = rtu
    assert line.ask(1, bytes.fromhex("2B0E0100"), answer_length=5) == rtu_frame(1, bytes.fromhex("AB01"))
    assert line.ask(1, bytes.fromhex("0300C80001"), answer_length=5) == rtu_frame(1, bytes.fromhex("8302"))
    assert line.ask(1, bytes.fromhex("0400060005"), answer_length=5) == rtu_frame(1, bytes.fromhex("8402"))
    assert line.ask(1, bytes.fromhex("030006007E"), answer_length=5) == rtu_frame(1, bytes.fromhex("8303"))


def test_garbled_frames_and_other_units_get_no_answer(rtu):
    _, line = rtu
    good = rtu_frame(1, bytes.fromhex("0300060005"))
    assert line.silent_after(good[:-1] + bytes([good[-1] ^ 0xFF]))
    assert line.silent_after(rtu_frame(2, bytes.fromhex("0300060005")))
    assert len(line.ask(1, bytes.fromhex("0300060005"), answer_length=15)) == 15  # and it goes on


def test_a_write_is_answered_by_its_echo(rtu):
    sim, line = rtu
    assert line.ask(1, bytes.fromhex("0600140102"), answer_length=8) == rtu_frame(1, bytes.fromhex("0600140102"))
    assert sim.table[20] == 0x0102


def test_a_latched_terminal_holds_its_value_until_the_command():
    regmap = RegisterMap.from_table({"weight": {"address": 0, "type": "int32"}, "status": 2,
                                     "bits": {"motion": 0, "valid": 15}, "unit": "kg",
                                     "before_read": {"address": 10, "value": 1}})
    sim = ModbusScaleSimulator(regmap)
    out: list[bytes] = []
    sim.attach(out.append)
    sim.set_load(3_000)
    sim.receive(rtu_frame(1, bytes.fromhex("0300000003")))
    assert struct.unpack(">3H", out[-1][3:9]) == (0, 0, 0)  # not valid yet (bit 15 clear)
    sim.receive(rtu_frame(1, bytes.fromhex("06000A0001")))
    sim.receive(rtu_frame(1, bytes.fromhex("0300000003")))
    high, low, status = struct.unpack(">3H", out[-1][3:9])
    assert (high << 16 | low) == 3_000 and status & 1 << 15
    sim.set_load(4_000)
    sim.receive(rtu_frame(1, bytes.fromhex("0300000003")))
    assert struct.unpack(">2H", out[-1][3:7])[1] == 3_000  # held until the next command


def test_tcp_frames_carry_the_mbap_header(stop_later):
    sim = ModbusScaleSimulator(RegisterMap.from_table({"weight": {"address": 9, "type": "uint32"}, "unit": "kg",
                                                       "status": 6, "bits": {"stable": 11, "negative": 8},
                                                       "framing": "tcp"}))
    port = TcpPort(sim).start()
    stop_later.append(port)
    host, number = port.path.removeprefix("socket://").split(":")
    with socket.create_connection((host, int(number)), timeout=2) as conn:
        sim.set_load(1_240)  # a multiple of d (20 kg)
        conn.sendall(struct.pack(">HHHB", 0x0102, 0, 6, 1) + bytes.fromhex("0300060005"))
        answer = b""
        while len(answer) < 19:
            answer += conn.recv(64)
    tid, protocol, length, unit = struct.unpack(">HHHB", answer[:7])
    assert (tid, protocol, length, unit) == (0x0102, 0, 13, 1)
    assert answer[7:9] == bytes.fromhex("030A") and struct.unpack(">H", answer[17:19])[0] == 1_240
