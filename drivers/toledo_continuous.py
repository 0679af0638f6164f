"""``toledo-continuous``: the Toledo continuous output many indicators emulate.

Each display update (~7/s) the indicator sends, unasked::

    STX SWA SWB SWC wwwwww tttttt CR [checksum]

Status bytes carry the decimal position and increment (SWA), net/gross,
sign, out of range, motion and kg/lb (SWB), and a unit override (SWC).
The six-digit fields have no sign and no decimal point; with the decimal
codes ``XXXX00``/``XXXXX0`` the dummy zeros are not among the digits, so
the digits are multiplied by 100/10. Bit 7 of every byte may be parity on
7-bit lines: it is masked. The checksum makes the low 7 bits of all 18
bytes sum to 0 mod 128.

Whether a checksum follows CR is a setting of the indicator, so the framer
learns it (see :class:`ToledoFramer`). The protocol has no commands:
zero and tare are front-panel keys, and the command API refuses them.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from drivers.scale import ScaleDriver, UnitError, normalize, scale_reading, tare_in

STX, CR = 0x02, 0x0D
FRAME_LENGTH = 17  # STX .. CR, without the checksum
_COUNT_BY = {1: 1, 2: 2, 3: 5}
_UNIT_OVERRIDE = {1: "g", 2: "t", 3: "oz"}
_MASK7 = bytes(b & 0x7F for b in range(256))

DropCallback = Callable[[str, bytes], None]


class ToledoFormatError(ValueError):
    """Bytes that are not a valid Toledo continuous frame; the message says why."""


def toledo_checksum(body: bytes) -> int:
    """The byte that makes the low 7 bits of ``body`` + it sum to 0 mod 128."""
    return -sum(b & 0x7F for b in body) & 0x7F


def _digits(field: bytes, what: str) -> int:
    # some emulators send leading zeros as spaces
    text = field.decode("ascii").lstrip(" ")
    if text and not (text.isascii() and text.isdigit()):
        raise ToledoFormatError(f"{what} field {field.decode('ascii')!r} is not six digits")
    return int(text or "0")


def _scaled(count: int, code: int) -> float:
    """Digits to a number: codes 0-2 are ×100, ×10, ×1; 3-7 put a decimal point."""
    return float(count * 10 ** (2 - code)) if code <= 2 else round(count / 10 ** (code - 2), code - 2)


def parse_toledo_frame(frame: bytes) -> dict[str, Any]:
    """Decode one frame, ``STX ... CR`` with or without its checksum byte.

    Returns the weight (signed) and tare as sent, in the frame's unit (kg,
    lb, g, t or oz), with ``net``, ``negative``, ``out_of_range``, ``stable``,
    ``increment`` (None if SWA does not say), ``print_request``,
    ``expanded``, ``power_up_not_zeroed`` and ``checksummed``. Raises
    :class:`ToledoFormatError`.
    """
    data = bytes(frame).translate(_MASK7)
    if len(data) not in (FRAME_LENGTH, FRAME_LENGTH + 1):
        raise ToledoFormatError(f"a frame is 17 or 18 bytes, not {len(data)}")
    if data[0] != STX or data[16] != CR:
        raise ToledoFormatError("a frame starts with STX and has CR after the tare")
    if len(data) == 18 and toledo_checksum(data[:17]) != data[17]:
        raise ToledoFormatError(f"checksum mismatch: got {data[17]:#04x}, expected {toledo_checksum(data[:17]):#04x}")
    swa, swb, swc = data[1], data[2], data[3]
    code = swa & 0x07
    unit = _UNIT_OVERRIDE.get(swc & 0x07)
    if unit is None:
        if swc & 0x07:
            raise ToledoFormatError(f"unit code {swc & 0x07} in SWC is not defined")
        unit = "kg" if swb & 0x10 else "lb"
    count_by = _COUNT_BY.get((swa >> 3) & 0x03)
    negative = bool(swb & 0x02)
    weight = _scaled(_digits(data[4:10], "weight"), code)
    return {
        "weight": -weight if negative and weight else weight,
        "tare": _scaled(_digits(data[10:16], "tare"), code),
        "unit": unit,
        "net": bool(swb & 0x01),
        "negative": negative,
        "out_of_range": bool(swb & 0x04),
        "stable": not swb & 0x08,
        "increment": _scaled(count_by, code) if count_by else None,
        "power_up_not_zeroed": bool(swb & 0x40),
        "print_request": bool(swc & 0x08),
        "expanded": bool(swc & 0x10),
        "checksummed": len(data) == 18,
    }


def toledo_reading(frame: dict[str, Any]) -> dict[str, Any]:
    """The scale reading (docs/contract.md) for a parsed frame (oz becomes lb).

    Out of range is an overload, or an underload when the sign is negative;
    either way the weight is null. The tare is reported in net mode only.
    """
    weight, unit = normalize(frame["weight"], frame["unit"])
    tare = tare_in((frame["tare"], frame["unit"]), unit) if frame["net"] else None
    if frame["out_of_range"]:
        return scale_reading(None, unit, frame["stable"], tare, "underload" if frame["negative"] else "overload")
    return scale_reading(weight, unit, frame["stable"], tare)


def encode_toledo_frame(weight: float, tare: float = 0.0, *, unit: str = "kg", increment: float = 1.0,
                        net: bool = False, motion: bool = False, out_of_range: bool = False,
                        checksum: bool = True) -> bytes:
    """A frame as an indicator sends it — for simulators and tests.

    ``increment`` (1, 2 or 5 × a power of ten from 100 down to 0.00001)
    sets the decimal position and count-by of SWA.
    """
    for code in range(8):
        count_by = next((c for c in (1, 2, 5) if abs(_scaled(c, code) - increment) < 1e-9 * increment), None)
        if count_by is not None:
            break
    else:
        raise ValueError(f"increment {increment} is not 1, 2 or 5 times a power of ten")
    unit_codes = {"kg": 0, "lb": 0, "g": 1, "t": 2, "oz": 3}
    if unit not in unit_codes:
        raise ValueError(f"unit {unit!r} cannot be sent (kg, lb, g, t, oz)")

    def field(value: float) -> bytes:
        count = round(abs(value) / 10 ** (2 - code))
        if count > 999_999:
            raise ValueError(f"{value} does not fit six digits at increment {increment}")
        return b"%06d" % count

    swa = 0x20 | {1: 1, 2: 2, 5: 3}[count_by] << 3 | code
    swb = (0x20 | net | (weight < 0) << 1 | out_of_range << 2 | motion << 3
           | (unit in ("kg", "g", "t")) << 4)
    body = bytes([STX, swa, swb, 0x20 | unit_codes[unit]]) + field(weight) + field(tare) + bytes([CR])
    return body + bytes([toledo_checksum(body)]) if checksum else body


class ToledoFramer:
    """Finds frames in a byte stream: fixed length from STX, CR at byte 17.

    Bytes are masked to 7 bits first (parity). Anything before an STX is
    noise; an STX that does not start a well-formed frame is dropped and the
    search goes on from the next STX, so a frame is never lost to garbage
    in front of it. The buffer never holds more than one frame.

    The checksum byte: ``checksum=True``/``False`` if known; ``None`` learns
    it. The choice, and why no frame waits longer than it must:

    - Known with checksum: a frame is complete when its checksum arrives,
      one character time after CR; a mismatch is dropped.
    - Known without: a frame is complete at its CR.
    - Unknown (the first frame only): the byte after CR decides. If it
      completes a valid checksum, the indicator sends checksums; if it is
      STX (the next frame) or the line goes quiet (:meth:`flush`), it does
      not. Only this first frame waits (one frame period at most).
    - Once learned, two consecutive frames that say otherwise switch the
      belief (a re-configured indicator), so one noisy byte does not.
    - While learning, a checksum of 0x02 cannot be told from the next STX
      (1 frame in 128): the frame is given out, valid either way, and the
      byte is later dropped as a malformed frame; learning goes on.
    """

    def __init__(self, on_drop: DropCallback, checksum: bool | None = None) -> None:
        self._on_drop = on_drop
        self._configured = checksum
        self.checksum = checksum
        self._buffer = bytearray()
        self._contrary = 0
        self._unverified_sum: int | None = None  # of the frame just given out without a checksum

    def reset(self) -> None:
        """Forget the buffer and what was learned (a new connection, maybe a new indicator)."""
        self._buffer.clear()
        self.checksum = self._configured
        self._contrary = 0
        self._unverified_sum = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield every complete frame (17 bytes, or 18 with a verified checksum)."""
        self._buffer.extend(bytes(data).translate(_MASK7))
        while (frame := self._next()) is not None:
            yield frame

    def flush(self) -> Iterator[bytes]:
        """The line went quiet: a frame still waiting for a checksum has none."""
        if len(self._buffer) == FRAME_LENGTH:  # _next() left a complete frame waiting
            frame = bytes(self._buffer)
            self._buffer.clear()
            self._evidence(False)
            if self.checksum:
                self._on_drop("no checksum after CR", frame)
            else:
                yield frame
        elif self._buffer:
            self._on_drop("incomplete frame", bytes(self._buffer))
            self._buffer.clear()

    def _evidence(self, has_checksum: bool) -> None:
        if self._configured is not None:
            return
        if self.checksum is None or self.checksum == has_checksum:
            self.checksum, self._contrary = has_checksum, 0
            return
        self._contrary += 1
        if self._contrary >= 2:
            self.checksum, self._contrary = has_checksum, 0

    def _next(self) -> bytes | None:
        buffer = self._buffer
        while buffer:
            if self._unverified_sum is not None:  # does a checksum trail the last frame?
                total, self._unverified_sum = self._unverified_sum, None
                if buffer[0] == STX:
                    self._evidence(False)
                elif (total + buffer[0]) % 128 == 0:
                    self._evidence(True)
                    del buffer[0]
                    continue
            start = buffer.find(STX)
            if start != 0:
                end = len(buffer) if start < 0 else start
                self._on_drop("noise between frames", bytes(buffer[:end]))
                del buffer[:end]
                continue
            if len(buffer) < FRAME_LENGTH:
                return None
            if buffer[16] != CR or not _fields_ok(buffer[4:16]):
                following = buffer.find(STX, 1)
                end = len(buffer) if following < 0 else following
                self._on_drop("malformed frame", bytes(buffer[:end]))
                del buffer[:end]
                continue
            if len(buffer) == FRAME_LENGTH and self.checksum is not False:
                return None  # wait for the byte after CR
            frame = self._complete()
            if frame is not None:
                return frame
        return None

    def _complete(self) -> bytes | None:
        """A well-formed frame starts the buffer (and, unless known to have no
        checksum, the byte after its CR is there): give it out or drop it."""
        buffer = self._buffer
        if self.checksum is False:
            return self._take(FRAME_LENGTH, unverified=True)
        after = buffer[FRAME_LENGTH]
        valid = (sum(buffer[:FRAME_LENGTH]) + after) % 128 == 0
        if after != STX or (valid and self.checksum):
            if valid:
                self._evidence(True)
                return self._take(FRAME_LENGTH + 1)
            self._on_drop("checksum mismatch", bytes(buffer[:FRAME_LENGTH + 1]))
            del buffer[:FRAME_LENGTH + 1]
            return None
        if valid:  # still learning, and 0x02 is both a valid checksum and the next STX
            return self._take(FRAME_LENGTH)
        self._evidence(False)  # the next frame follows CR directly
        if self.checksum is False:
            return self._take(FRAME_LENGTH, unverified=True)
        self._on_drop("no checksum after CR", bytes(buffer[:FRAME_LENGTH]))
        del buffer[:FRAME_LENGTH]
        return None

    def _take(self, length: int, unverified: bool = False) -> bytes:
        frame = bytes(self._buffer[:length])
        del self._buffer[:length]
        if unverified:
            self._unverified_sum = sum(frame)
        return frame


def _fields_ok(fields: bytes) -> bool:
    return all(0x30 <= b <= 0x39 or b == 0x20 for b in fields)


class ToledoContinuousScale(ScaleDriver):
    """An indicator sending Toledo continuous output; it only listens.

    ``checksum``: True/False if the indicator's setting is known, None to
    learn it from the stream (see :class:`ToledoFramer`).
    """

    name = "toledo-continuous"

    def __init__(self, *args: Any, checksum: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framer = ToledoFramer(self.drop, checksum)

    def on_open(self) -> None:
        self._framer.reset()

    def handle_bytes(self, data: bytes) -> None:
        for frame in list(self._framer.feed(data)):
            self._publish(frame)

    def on_idle(self) -> None:
        for frame in list(self._framer.flush()):
            self._publish(frame)

    def _publish(self, frame: bytes) -> None:
        try:
            reading = toledo_reading(parse_toledo_frame(frame))
        except (ToledoFormatError, UnitError) as exc:
            self.drop(str(exc), frame)
            return
        self.emit_reading(reading, frame)
