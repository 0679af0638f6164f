"""``etd-ascii``: lanebox's own line format for trace detectors.

No maker of IMS trace detectors publishes a wire format, so lanebox defines
this one (docs/etd-ascii.md) for vendor adapters and site integrators to
emit. Lines are ASCII, space-separated, ended CR LF:

- ``RES <sample_id> <CLEAR|ALARM|FAULT> [<name>:<class>:<amplitude>[:<k0>]]...``
- ``STA <READY|BUSY|WARMUP|CAL_REQUIRED|FAULT> [key=value]...``
- ``VER <trap_lot> <PASS|FAIL> [<name>:<class>:<amplitude>]...``
- ``ID <model> <serial> <firmware>`` (answer to ``ID?``), ``ERR <text>``.
"""

from __future__ import annotations

import math
import time
from typing import Any

from drivers.base import CONNECTED, ERROR, SerialDriver
from drivers.framing import LineFramer, decode_ascii

RESULTS = {"CLEAR": "clear", "ALARM": "alarm", "FAULT": "fault"}
STATES = ("READY", "BUSY", "WARMUP", "CAL_REQUIRED", "FAULT")
CLASSES = ("explosive", "narcotic", "cwa", "other")


class EtdFormatError(ValueError):
    """A line that is not valid etd-ascii; the message says why."""


def parse_substance(token: str) -> dict[str, Any]:
    """``name:class:amplitude[:k0]`` → ``{"name", "class", "amplitude"[, "k0"]}``."""
    parts = token.split(":")
    if len(parts) not in (3, 4):
        raise EtdFormatError(f"substance {token!r} is not name:class:amplitude[:k0]")
    name, klass = parts[0], parts[1].lower()
    if not name:
        raise EtdFormatError(f"substance {token!r} has no name")
    if klass not in CLASSES:
        raise EtdFormatError(f"substance class {parts[1]!r} is not one of {', '.join(CLASSES)}")
    substance: dict[str, Any] = {"name": name, "class": klass, "amplitude": _number(parts[2], "amplitude")}
    if len(parts) == 4:
        substance["k0"] = _number(parts[3], "k0")
    return substance


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EtdFormatError(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise EtdFormatError(f"{what} {text!r} is not finite")
    return value


def parse_etd_line(line: bytes) -> dict[str, Any]:
    """Decode one etd-ascii line (without its CR LF).

    Returns ``{"type": "RES"|"STA"|"VER"|"ID"|"ERR", ...}``; raises
    :class:`EtdFormatError` for anything else.
    """
    text = decode_ascii(line)
    if text is None:
        raise EtdFormatError("not printable ASCII")
    tokens = text.split()
    if not tokens:
        raise EtdFormatError("empty line")
    head, args = tokens[0], tokens[1:]
    if head == "RES":
        if len(args) < 2 or args[1] not in RESULTS:
            raise EtdFormatError("RES needs <sample_id> <CLEAR|ALARM|FAULT>")
        sample_id = None if args[0] == "-" else args[0]
        return {"type": "RES", "result": RESULTS[args[1]], "sample_id": sample_id,
                "substances": [parse_substance(t) for t in args[2:]]}
    if head == "STA":
        if not args or args[0] not in STATES:
            raise EtdFormatError(f"STA needs one of {', '.join(STATES)}")
        values = {}
        for pair in args[1:]:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise EtdFormatError(f"STA value {pair!r} is not key=value")
            values[key] = value
        return {"type": "STA", "state": args[0], "values": values}
    if head == "VER":
        if len(args) < 2 or args[1] not in ("PASS", "FAIL"):
            raise EtdFormatError("VER needs <trap_lot> <PASS|FAIL>")
        return {"type": "VER", "trap_lot": args[0], "passed": args[1] == "PASS",
                "substances": [parse_substance(t) for t in args[2:]]}
    if head == "ID":
        if len(args) != 3:
            raise EtdFormatError("ID needs <model> <serial> <firmware>")
        return {"type": "ID", "model": args[0], "serial": args[1], "firmware": args[2]}
    if head == "ERR":
        return {"type": "ERR", "text": " ".join(args)}
    raise EtdFormatError(f"unknown message {head!r}")


def reading_from_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """The ``trace`` reading (docs/contract.md) for a RES or VER message, else None.

    A verification (VER) is a reading too, so a technician sees it live;
    it carries ``verification`` with the trap lot and the device's verdict.
    """
    if message["type"] == "RES":
        return {"result": message["result"], "sample_id": message["sample_id"],
                "substances": message["substances"]}
    if message["type"] == "VER":
        return {"result": "alarm" if message["substances"] else "clear", "sample_id": None,
                "substances": message["substances"],
                "verification": {"trap_lot": message["trap_lot"], "passed": message["passed"]}}
    return None


class EtdAsciiDetector(SerialDriver):
    """A trace detector speaking etd-ascii."""

    kind = "trace"
    name = "etd-ascii"
    identify_timeout = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framer = LineFramer(self.drop, max_length=1024)
        self.device_state = "UNKNOWN"

    def on_open(self) -> None:
        self._framer.clear()
        self.identity = {}
        self.write(b"ID?\r\n")
        self.read_until(lambda: bool(self.identity), time.monotonic() + self.identify_timeout)
        self.write(b"STA?\r\n")

    def handle_bytes(self, data: bytes) -> None:
        for line in self._framer.feed(data):
            try:
                message = parse_etd_line(line)
            except EtdFormatError as exc:
                self.drop(str(exc), line)
                continue
            self._handle_message(message, line)

    def _handle_message(self, message: dict[str, Any], line: bytes) -> None:
        kind = message["type"]
        if kind == "ID":
            self.identity = {k: message[k] for k in ("model", "serial", "firmware")}
        elif kind == "STA":
            self.device_state = message["state"]
            if self.state in (CONNECTED, ERROR):
                self._report_device_state()
        elif kind == "ERR":
            self.counters.last_error = message["text"]
        reading = reading_from_message(message)
        if reading is not None:
            self.emit_reading(reading, line)

    def _report_device_state(self) -> None:
        if self.device_state == "FAULT":
            self.set_state(ERROR, "detector reports FAULT")
        else:
            self.set_state(CONNECTED, self.device_state.lower().replace("_", " "))
