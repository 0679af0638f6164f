"""``modbus``: weighing terminals read over Modbus — RTU on a serial line, or TCP (MBAP) through ``socket://``.

A terminal keeps its weight and status in registers whose layout is the
maker's (:class:`RegisterMap`: where the weight is, its type and scale,
which status bits mean motion, net, overload, error; a register to write
before the value is valid). The driver polls: one request on the line at
a time, each answer matched to it by pymodbus's framers (CRC for RTU, the
transaction id for TCP), the registers turned into a reading. Anything
else on the line is dropped and counted; a terminal that stops answering
is reopened. See docs/protocols.md section 9.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from pymodbus.client.mixin import ModbusClientMixin
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerBase, FramerRTU, FramerSocket
from pymodbus.pdu import DecodePDU, ExceptionResponse, ModbusPDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersRequest,
    ReadInputRegistersRequest,
    WriteSingleRegisterRequest,
)

from drivers.base import DeviceError
from drivers.scale import REPORTED_UNITS, ScaleDriver, normalize, scale_reading

DATATYPE = ModbusClientMixin.DATATYPE
TYPES = {"int16": DATATYPE.INT16, "uint16": DATATYPE.UINT16, "int32": DATATYPE.INT32, "uint32": DATATYPE.UINT32,
         "float32": DATATYPE.FLOAT32}
#: what a status bit may mean; each names the bits (0 = least significant) that say it
BIT_MEANINGS = ("motion", "stable", "net", "overload", "underload", "invalid", "valid", "negative")
FRAMINGS = ("rtu", "tcp")
TABLES = {"holding": ReadHoldingRegistersRequest, "input": ReadInputRegistersRequest}
EXCEPTIONS = {1: "illegal function", 2: "illegal data address", 3: "illegal data value", 4: "device failure",
              6: "device busy"}
MAX_SPAN = 125  # registers one read may ask for


class RegisterMapError(ValueError):
    """A register map that cannot work; ``key`` names the setting."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key, self.problem = key, problem


class ModbusFormatError(ValueError):
    """Registers that do not make a weight (an error bit, a value that is not a number)."""


@dataclass(frozen=True)
class Register:
    """A number in the register table: its first register (0-based: 40001 is 0), type, word order, scale."""

    address: int
    type: str = "int32"
    word_order: str = "big"
    scale: float = 1.0

    @property
    def size(self) -> int:
        return TYPES[self.type].value[1]

    def check(self, key: str) -> None:
        if self.type not in TYPES:
            raise RegisterMapError(f"{key}.type", f"must be one of {', '.join(TYPES)}")
        if not 0 <= self.address <= 0xFFFF - self.size + 1:
            raise RegisterMapError(f"{key}.address", "must be a register address 0-65535 (40001 is 0)")
        if self.word_order not in ("big", "little"):
            raise RegisterMapError(f"{key}.word_order", "must be big (high word first) or little")
        if not 0 < abs(self.scale) <= 1e6:
            raise RegisterMapError(f"{key}.scale", "must be a non-zero factor, e.g. 0.1 for one decimal")

    def value(self, start: int, registers: list[int]) -> float:
        words = registers[self.address - start:self.address - start + self.size]
        number = ModbusClientMixin.convert_from_registers(words, TYPES[self.type], self.word_order)
        return float(number) * self.scale  # type: ignore[arg-type]

    @classmethod
    def from_table(cls, key: str, table: Any) -> "Register":
        if not isinstance(table, dict) or "address" not in table:
            raise RegisterMapError(key, "must be a table with an address")
        unknown = set(table) - {"address", "type", "word_order", "scale"}
        if unknown:
            raise RegisterMapError(f"{key}.{sorted(unknown)[0]}", "is not a register setting")
        for name, kind in (("address", int), ("type", str), ("word_order", str), ("scale", (int, float))):
            if name in table and (not isinstance(table[name], kind) or isinstance(table[name], bool)):
                raise RegisterMapError(f"{key}.{name}", "has the wrong type")
        register = cls(**{**table, "scale": float(table.get("scale", 1.0))})
        register.check(key)
        return register

    def as_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {"address": self.address, "type": self.type}
        if self.word_order != "big":
            table["word_order"] = self.word_order
        if self.scale != 1.0:
            table["scale"] = self.scale
        return table


@dataclass(frozen=True)
class RegisterMap:
    """Where a terminal keeps its weight, and what its status bits mean.

    Settings (a device's ``registers`` table, docs/protocols.md section 9):
    ``preset`` (with ``unit_id``, ``unit``, ``scale`` to fit the
    installation), or ``weight`` (a register table), ``unit``, ``status``
    (a 16-bit status register) with ``bits`` (meaning → bit numbers; motion
    or stable is required), ``tare``, ``unit_id`` (1-247), ``framing``
    (rtu, tcp), ``table`` (holding, input), ``before_read`` (``{address,
    value}`` written before each read).
    """

    weight: Register
    unit: str
    status: int | None = None
    bits: tuple[tuple[str, tuple[int, ...]], ...] = ()
    tare: Register | None = None
    unit_id: int = 1
    framing: str = "rtu"
    table: str = "holding"
    before_read: tuple[int, int] | None = None
    preset: str | None = None

    def __post_init__(self) -> None:
        self.weight.check("weight")
        if self.tare is not None:
            self.tare.check("tare")
        if self.unit not in (*REPORTED_UNITS, "oz", "mg"):
            raise RegisterMapError("unit", f"must be one of {', '.join(REPORTED_UNITS)}, oz, mg")
        if not 1 <= self.unit_id <= 247:
            raise RegisterMapError("unit_id", "must be a Modbus unit address 1-247")
        if self.framing not in FRAMINGS:
            raise RegisterMapError("framing", f"must be one of {', '.join(FRAMINGS)}")
        if self.table not in TABLES:
            raise RegisterMapError("table", f"must be one of {', '.join(TABLES)}")
        if self.status is not None and not 0 <= self.status <= 0xFFFF:
            raise RegisterMapError("status", "must be a register address 0-65535")
        for meaning, numbers in self.bits:
            if meaning not in BIT_MEANINGS:
                raise RegisterMapError(f"bits.{meaning}", f"is not one of {', '.join(BIT_MEANINGS)}")
            if not numbers or any(not 0 <= n <= 15 for n in numbers):
                raise RegisterMapError(f"bits.{meaning}", "bit numbers are 0-15")
        named = dict(self.bits)
        if self.status is None or not ({"motion", "stable"} & set(named)):
            raise RegisterMapError("bits", "say which status bit shows motion (bits.motion or bits.stable): "
                                           "a weight whose stability is unknown is never stable")
        if self.before_read is not None and not (0 <= self.before_read[0] <= 0xFFFF
                                                 and 0 <= self.before_read[1] <= 0xFFFF):
            raise RegisterMapError("before_read", "address and value are 0-65535")
        if self.span()[1] > MAX_SPAN:
            raise RegisterMapError("weight", f"weight, status and tare lie more than {MAX_SPAN} registers apart")

    def span(self) -> tuple[int, int]:
        """(first register, count) one read covers: weight, status and tare."""
        ends = [(self.weight.address, self.weight.address + self.weight.size)]
        if self.status is not None:
            ends.append((self.status, self.status + 1))
        if self.tare is not None:
            ends.append((self.tare.address, self.tare.address + self.tare.size))
        first = min(start for start, _ in ends)
        return first, max(end for _, end in ends) - first

    def flag(self, meaning: str, status: int) -> bool | None:
        """Whether any bit with ``meaning`` is set (None: the map has no such bit)."""
        numbers = dict(self.bits).get(meaning)
        return None if numbers is None else any(status >> n & 1 for n in numbers)

    @classmethod
    def from_table(cls, table: Any) -> "RegisterMap":
        """From a device's ``registers`` table; raises :class:`RegisterMapError`."""
        if not isinstance(table, dict):
            raise RegisterMapError("registers", "must be a table")
        if "preset" in table:
            extra = set(table) - {"preset", "unit_id", "unit", "scale"}
            if extra:
                raise RegisterMapError(sorted(extra)[0], "a preset takes only unit_id, unit and scale")
            preset = PRESETS.get(table["preset"])  # type: ignore[call-overload]
            if preset is None:
                raise RegisterMapError("preset", f"{table['preset']!r} is not one of {', '.join(PRESETS)}")
            changes: dict[str, Any] = {k: table[k] for k in ("unit_id", "unit") if k in table}
            if "scale" in table:
                if not isinstance(table["scale"], (int, float)) or isinstance(table["scale"], bool):
                    raise RegisterMapError("scale", "must be a number")
                changes["weight"] = replace(preset.weight, scale=float(table["scale"]))
            return replace(preset, **changes)
        known = {"weight", "unit", "status", "bits", "tare", "unit_id", "framing", "table", "before_read"}
        unknown = set(table) - known
        if unknown:
            raise RegisterMapError(sorted(unknown)[0], f"is not a register map setting ({', '.join(sorted(known))})")
        plain = ("unit", "status", "unit_id", "framing", "table")
        values: dict[str, Any] = {k: v for k, v in table.items() if k in plain}
        for key, kind in (("unit", str), ("status", int), ("unit_id", int), ("framing", str), ("table", str)):
            if key in values and (not isinstance(values[key], kind) or isinstance(values[key], bool)):
                raise RegisterMapError(key, f"must be a {kind.__name__}")
        if "unit" not in values:
            raise RegisterMapError("unit", "missing: the unit the terminal weighs in")
        values["weight"] = Register.from_table("weight", table.get("weight"))
        if "tare" in table:
            values["tare"] = Register.from_table("tare", table["tare"])
        bits = table.get("bits", {})
        if not isinstance(bits, dict):
            raise RegisterMapError("bits", "must be a table of meaning = bit or [bits]")
        pairs = []
        for meaning, numbers in bits.items():
            numbers = [numbers] if isinstance(numbers, int) else numbers
            if not isinstance(numbers, list) or not all(type(n) is int for n in numbers):
                raise RegisterMapError(f"bits.{meaning}", "must be a bit number or a list of them")
            pairs.append((meaning, tuple(numbers)))
        values["bits"] = tuple(pairs)
        if "before_read" in table:
            command = table["before_read"]
            if not isinstance(command, dict) or set(command) != {"address", "value"} \
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in command.values()):
                raise RegisterMapError("before_read", "must be {address, value}")
            values["before_read"] = (command["address"], command["value"])
        return cls(**values)

    def as_table(self) -> dict[str, Any]:
        """The ``registers`` table :meth:`from_table` reads back (a preset by its name and overrides)."""
        if self.preset is not None:
            base = PRESETS[self.preset]
            table: dict[str, Any] = {"preset": self.preset}
            if self.unit_id != base.unit_id:
                table["unit_id"] = self.unit_id
            if self.unit != base.unit:
                table["unit"] = self.unit
            if self.weight.scale != base.weight.scale:
                table["scale"] = self.weight.scale
            return table
        table = {"weight": self.weight.as_table(), "unit": self.unit, "unit_id": self.unit_id}
        if self.status is not None:
            table["status"] = self.status
            table["bits"] = {meaning: list(numbers) for meaning, numbers in self.bits}
        if self.tare is not None:
            table["tare"] = self.tare.as_table()
        if self.framing != "rtu":
            table["framing"] = self.framing
        if self.table != "holding":
            table["table"] = self.table
        if self.before_read is not None:
            table["before_read"] = {"address": self.before_read[0], "value": self.before_read[1]}
        return table


#: documented register maps (docs/protocols.md section 9 gives the sources)
PRESETS: dict[str, RegisterMap] = {
    # Laumas TLU/LCB: 40007 status register, 40010-40011 net weight (high word first), unsigned with
    # the sign in the status register; decimals and unit are the instrument's setup (scale, unit)
    "laumas": RegisterMap(weight=Register(9, "uint32"), unit="kg", status=6,
                          bits=(("invalid", (0, 1)), ("overload", (2, 3, 5)), ("negative", (8,)), ("net", (10,)),
                                ("stable", (11,))), preset="laumas"),
}


def read_registers(regmap: RegisterMap, start: int, registers: list[int]) -> dict[str, Any]:
    """The weight, tare and status flags held in ``registers`` (read from ``start``).

    Raises :class:`ModbusFormatError` when an error bit is set, a valid bit
    is not, or the value is not a finite number.
    """
    first, count = regmap.span()
    if start != first or len(registers) < count:
        raise ModbusFormatError(f"{len(registers)} registers from {start}, not {count} from {first}")
    status = registers[regmap.status - start] if regmap.status is not None else 0
    if regmap.flag("invalid", status) or regmap.flag("valid", status) is False:
        raise ModbusFormatError("the terminal marks the weight invalid")  # no status value: one reason
    weight = regmap.weight.value(start, registers)
    if weight != weight or weight in (float("inf"), float("-inf")):
        raise ModbusFormatError("the weight is not a finite number")
    if regmap.flag("negative", status):
        weight = -abs(weight)
    stable_bit = regmap.flag("stable", status)
    stable = stable_bit if stable_bit is not None else not regmap.flag("motion", status)
    tare = regmap.tare.value(start, registers) if regmap.tare is not None else None
    return {"weight": round(weight, 9) + 0.0, "net": bool(regmap.flag("net", status)), "stable": stable,
            "overload": bool(regmap.flag("overload", status)), "underload": bool(regmap.flag("underload", status)),
            "tare": tare, "status": status}


def modbus_reading(values: dict[str, Any], unit: str) -> dict[str, Any]:
    """The scale reading (docs/contract.md) for :func:`read_registers`' values."""
    weight, reported = normalize(values["weight"], unit)
    tare = normalize(values["tare"], unit)[0] if values["net"] and values["tare"] else None
    if values["overload"] or values["underload"]:
        status = "underload" if values["underload"] or weight < 0 else "overload"
        return scale_reading(None, reported, False, tare, status)
    return scale_reading(weight, reported, values["stable"], tare)


@dataclass(eq=False)
class _Request:
    pdu: ModbusPDU
    sent_at: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)
    answer: ModbusPDU | None = None


class ModbusScale(ScaleDriver):
    """A weighing terminal polled over Modbus with the map ``registers`` (the Laumas preset if none)."""

    name = "modbus"
    binary_frames = True     # the console cuts frames by the exchange, never at a byte that looks like STX/ETX
    answer_timeout = 0.5     # an unanswered request; twice stream_timeout without a weight is an error
    stream_timeout = 2.0
    poll_period = 0.1        # at most ten reads a second
    connect_timeout = 1.0

    def __init__(self, *args: Any, registers: RegisterMap | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("poll_interval", 0.05)
        super().__init__(*args, **kwargs)
        self.registers = registers or PRESETS["laumas"]
        framer_class = FramerRTU if self.registers.framing == "rtu" else FramerSocket
        self._framer: FramerBase = framer_class(DecodePDU(is_server=False))
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._in_flight: _Request | None = None
        self._tid = 0
        self._polling = False
        self._last_weight_at = 0.0
        self._next_poll = 0.0
        self._latched = False  # before_read written for the read to come

    # ----- connection ---------------------------------------------------
    def on_open(self) -> None:
        self._buffer.clear()
        self._polling = False
        regmap = self.registers
        model = f"Modbus unit {regmap.unit_id}" + (f" ({regmap.preset} map)" if regmap.preset else "")
        self.identity = {"model": model, "capacity": "", "firmware": "", "serial": "",
                         "protocol": f"Modbus {regmap.framing.upper()}"}
        deadline = time.monotonic() + self.connect_timeout
        request = self._send(self._read_request())
        self.read_until(request.done.is_set, deadline)
        if request.answer is None:
            raise DeviceError(f"{self.port}: no answer from Modbus unit {regmap.unit_id} within "
                              f"{self.connect_timeout:g} s — is it set to Modbus {regmap.framing.upper()}, "
                              f"unit {regmap.unit_id}, at {self.settings.baudrate} baud?")
        self._last_weight_at = time.monotonic()
        self._polling = True

    def on_close(self) -> None:
        self._polling = False
        with self._lock:
            self._in_flight = None

    def on_idle(self) -> None:
        self._tick()
        silent = time.monotonic() - self._last_weight_at
        if self._polling and silent > 2 * self.stream_timeout:
            raise DeviceError(f"{self.port}: no weight from the terminal for {silent:.1f} s")

    def _tick(self) -> None:
        """Give up on an unanswered request; send the next poll when the line is free."""
        now = time.monotonic()
        with self._lock:
            late = self._in_flight is not None and now - self._in_flight.sent_at > self.answer_timeout
            if late:
                self._in_flight = None
            idle = self._in_flight is None
        if late:
            self.drop("no answer", b"")
            self._buffer.clear()
        if self._polling and idle and now >= self._next_poll:
            self._next_poll = now + self.poll_period
            self._send(self._read_request())

    # ----- requests -------------------------------------------------------
    def _read_request(self) -> ModbusPDU:
        """The next request of a poll: the ``before_read`` write first, when the map has one."""
        regmap = self.registers
        if regmap.before_read is not None and not self._latched:
            address, value = regmap.before_read
            return WriteSingleRegisterRequest(address=address, registers=[value], dev_id=regmap.unit_id)
        first, count = regmap.span()
        return TABLES[regmap.table](address=first, count=count, dev_id=regmap.unit_id)

    def _send(self, pdu: ModbusPDU) -> _Request:
        self._tid = self._tid % 0xFFFF + 1
        pdu.transaction_id = self._tid
        request = _Request(pdu, time.monotonic())
        with self._lock:
            self._in_flight = request
        self.write(self._framer.buildFrame(pdu))
        return request

    # ----- answers ----------------------------------------------------------
    def handle_bytes(self, data: bytes) -> None:
        with self._lock:
            request = self._in_flight
        if request is None:
            self.drop("bytes with no request waiting", data)
            self._buffer.clear()
            return
        self._buffer.extend(data)
        try:  # ids are checked here, not by pymodbus, which would log every stray frame
            used, pdu = self._framer.handleFrame(bytes(self._buffer), 0, 0)
        except ModbusException:
            used, pdu = len(self._buffer), None
        frame = bytes(self._buffer[:used])
        del self._buffer[:used]
        if used and pdu is None:
            self.drop("not a Modbus answer (CRC or framing)", frame)
        elif pdu is not None and (pdu.dev_id, pdu.transaction_id) != (self.registers.unit_id,
                                                                       self._expected_tid(request)):
            self.drop("answer from another unit or transaction", frame)  # one reason, whatever the ids
        elif pdu is not None:
            with self._lock:
                if self._in_flight is request:
                    self._in_flight = None
            request.answer = pdu
            request.done.set()
            self._answered(request, pdu, frame)
        self._tick()

    def _expected_tid(self, request: _Request) -> int:
        """RTU frames carry no transaction id (pymodbus reads it as 0); TCP answers echo the request's."""
        return request.pdu.transaction_id if self.registers.framing == "tcp" else 0

    def _answered(self, request: _Request, pdu: ModbusPDU, raw: bytes) -> None:
        if isinstance(pdu, ExceptionResponse):
            self._latched = False
            self.drop(f"exception {pdu.exception_code} ({EXCEPTIONS.get(pdu.exception_code, 'unknown')})", raw)
            return
        if pdu.function_code != request.pdu.function_code:
            self.drop(f"answer to function {pdu.function_code}, not {request.pdu.function_code}", raw)
            return
        if isinstance(request.pdu, WriteSingleRegisterRequest):
            self._latched = True
            self._next_poll = 0.0  # read at once: the value is valid now
            return
        self._latched = False
        try:
            values = read_registers(self.registers, request.pdu.address, list(pdu.registers))
            reading = modbus_reading(values, self.registers.unit)
        except (ModbusFormatError, ValueError) as exc:
            self.drop(str(exc), raw)
            return
        self._last_weight_at = time.monotonic()
        self.emit_reading(reading, raw)


class LaumasModbusScale(ModbusScale):
    """A Laumas terminal at unit 1, weighing in kg without decimals: the preset as it ships."""

    name = "laumas-modbus"
