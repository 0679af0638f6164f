"""A weighing terminal answering Modbus as docs/protocols.md section 9 says, for tests and demos.

Written from the Modbus specifications, not with pymodbus, so that the
driver (which frames with pymodbus) is tested against the documents: RTU
frames are ``unit, function, data, CRC`` (CRC-16, polynomial 0xA001
reflected, initial 0xFFFF, low byte first) and TCP frames carry the MBAP
header (transaction id, protocol 0, length, unit) instead of a CRC. It
answers Read Holding Registers (03), Read Input Registers (04) and Write
Single Register (06) for its own unit only; an unknown function gets
exception 01, an address outside its table exception 02; a frame with a
bad CRC, or for another unit, gets no answer.

Its registers hold the :class:`~drivers.simulators.load.LoadModel` laid
out by a :class:`~drivers.modbus_scale.RegisterMap` (the Laumas map by
default). A map with ``before_read`` holds its registers until that
command is written, as a terminal that latches its value on command does.
"""

from __future__ import annotations

import struct

from drivers.modbus_scale import PRESETS, TYPES, Register, RegisterMap
from drivers.simulators.device import DeviceSimulator
from drivers.simulators.load import LoadDriven, LoadModel

TABLE_SIZE = 200  # registers 0..199 exist; beyond is exception 02


def crc16(data: bytes) -> int:
    """The Modbus RTU CRC (serial line guide, appendix B)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def rtu_frame(unit: int, pdu: bytes) -> bytes:
    """``unit + pdu`` with its CRC, low byte first."""
    body = bytes([unit]) + pdu
    return body + struct.pack("<H", crc16(body))


def encode_value(register: Register, value: float) -> list[int]:
    """``value`` as the registers of ``register`` (its type, word order and scale)."""
    number = value / register.scale
    fmt = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "float32": ">f"}[register.type]
    packed = struct.pack(fmt, number if register.type == "float32" else int(round(number)))
    words = [int.from_bytes(packed[i:i + 2], "big") for i in range(0, len(packed), 2)]
    return words[::-1] if register.word_order == "little" else words


class ModbusScaleSimulator(LoadDriven, DeviceSimulator):
    """A terminal at unit ``registers.unit_id`` weighing the load model (60 t by 20 kg)."""

    kind = "scale"
    driver = "modbus"

    def __init__(self, registers: RegisterMap | None = None, model: LoadModel | None = None) -> None:
        super().__init__()
        self.map = registers or PRESETS["laumas"]
        self.model = model or LoadModel()
        self.fault = False          # an error bit set (a load cell fault)
        self.table = [0] * TABLE_SIZE
        self._buffer = bytearray()
        self._latched = self.map.before_read is None
        if not self._latched:  # nothing valid until the first command
            self._lay_out(invalid=True)

    # ----- the registers ------------------------------------------------
    def _bit(self, meaning: str) -> int:
        numbers = dict(self.map.bits).get(meaning, ())
        return 1 << numbers[0] if numbers else 0

    def _lay_out(self, invalid: bool = False) -> None:
        """Write the terminal's state now into the table, as the map lays it out."""
        model, regmap = self.model, self.map
        net = model.tare != 0
        weight = model.net() if net else model.gross()
        range_status = model.range_status()
        status = 0
        status |= self._bit("net") if net else 0
        status |= self._bit("stable") if model.stable() else self._bit("motion")
        status |= self._bit("overload") if range_status == "overload" else 0
        status |= self._bit("underload") if range_status == "underload" else 0
        status |= self._bit("invalid") if invalid or self.fault else self._bit("valid")
        if weight < 0 and "negative" in dict(regmap.bits):
            status |= self._bit("negative")
            weight = -weight
        self._put(regmap.weight, weight)
        if regmap.tare is not None:
            self._put(regmap.tare, model.tare)
        if regmap.status is not None:
            self.table[regmap.status] = status

    def _put(self, register: Register, value: float) -> None:
        words = encode_value(register, value)
        self.table[register.address:register.address + TYPES[register.type].value[1]] = words

    # ----- the wire -------------------------------------------------------
    def receive(self, data: bytes) -> None:
        super().receive(data)
        with self.lock:
            self._buffer.extend(data)
            if self.map.framing == "tcp":
                self._take_tcp()
            else:
                self._take_rtu()

    def _take_rtu(self) -> None:
        buffer = self._buffer
        if len(buffer) < 4:
            return
        function = buffer[1]
        length = 8 if function in (3, 4, 6) else len(buffer)  # an unknown function: the whole burst
        if len(buffer) < length:
            return
        frame = bytes(buffer[:length])
        del buffer[:length]
        if crc16(frame[:-2]) != struct.unpack("<H", frame[-2:])[0] or frame[0] != self.map.unit_id:
            buffer.clear()  # garbled, or for another unit: no answer
            return
        answer = self._answer(frame[1:-2])
        self.send(rtu_frame(self.map.unit_id, answer))

    def _take_tcp(self) -> None:
        buffer = self._buffer
        while len(buffer) >= 7:
            tid, protocol, length = struct.unpack(">HHH", buffer[:6])
            if protocol != 0 or not 2 <= length <= 254:
                buffer.clear()
                return
            if len(buffer) < 6 + length:
                return
            unit, pdu = buffer[6], bytes(buffer[7:6 + length])
            del buffer[:6 + length]
            if unit != self.map.unit_id:
                continue
            answer = self._answer(pdu)
            self.send(struct.pack(">HHHB", tid, 0, len(answer) + 1, unit) + answer)

    def _answer(self, pdu: bytes) -> bytes:
        """The answer PDU to a request PDU."""
        function = pdu[0]
        if function not in (3, 4, 6) or len(pdu) != 5:
            return bytes([function | 0x80, 1])
        address, value = struct.unpack(">HH", pdu[1:5])
        if function == 6:
            if address >= TABLE_SIZE:
                return bytes([0x86, 2])
            if self.map.before_read == (address, value):
                self._lay_out()
                self._latched = True
            else:
                self.table[address] = value
            return pdu  # a write is answered by its echo
        wanted = {3: "holding", 4: "input"}[function]
        if wanted != self.map.table or not 1 <= value <= 125 or address + value > TABLE_SIZE:
            return bytes([function | 0x80, 2 if value <= 125 else 3])
        if self.map.before_read is None:
            self._lay_out()
        words = self.table[address:address + value]
        return bytes([function, 2 * value]) + b"".join(struct.pack(">H", w) for w in words)
