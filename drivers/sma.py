"""``sma``: the Scale Manufacturers Association's standard serial protocol (SMA SCP-0499, levels 1 and 2).

One protocol many indicators speak (Cardinal, Avery Weigh-Tronix, B-Tek,
Brecknell, Sartorius/Minebea Intec, Fairbanks). The host sends one
command, ``<LF>c<CR>``; the scale answers each, ``<LF>...<CR>``, about
100 ms later. Weight answers share one fixed frame::

    <LF> s r n m f xxxxxx.xxx uuu <CR>

``s`` scale status (``Z`` centre of zero, ``O`` over capacity, ``U`` under
capacity, ``E`` zero error, ``I`` initial-zero error, ``T`` tare error,
space: none), ``r`` the range of a multi-interval scale (``1`` otherwise),
``n`` gross/tare/net (``G``/``T``/``N``, lower case for the ten-times
high-resolution weight), ``m`` motion (``M``) or space, ``f`` reserved;
ten characters of weight with sign and decimal point (dashes when there is
none) and a three-character unit. ``?`` answers an unknown command, ``!``
a garbled one.

The answers carry no command echo, so the driver keeps strictly to command
and answer: one command on the line at a time, each answer taken for the
command in flight. Between commands it polls ``W`` (the displayed weight,
level 1), so a reading costs one command; the repeat command ``R`` (level
2) is not used, because an answer to a zero or tare could not then be told
from the stream. See docs/protocols.md section 7.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from drivers.base import DeviceError
from drivers.framing import LineFramer, decode_ascii
from drivers.scale import ScaleDriver, UnitError, normalize, scale_reading

LF, CR, ESC = b"\n", b"\r", b"\x1b"
FRAME_LENGTH = 18  # s r n m f + 10 weight + 3 unit
STATUSES = {"Z": "centre of zero", "O": "over capacity", "U": "under capacity", "E": "zero error",
            "I": "initial-zero error", "T": "tare error", " ": "none"}
MODES = {"G": "gross", "T": "tare", "N": "net"}
#: SMA unit abbreviations lanebox takes (``ton``, the short ton, it does not report)
UNITS = {"lb": "lb", "kg": "kg", "g": "g", "oz": "oz", "t": "t"}
DIAGNOSTIC_FLAGS = {"R": "RAM or ROM error", "E": "EEPROM error", "C": "calibration error", "M": "other error"}
#: commands whose answer is the weight frame
WEIGHT_COMMANDS = ("W", "H", "P", "Z", "T", "C", "M")

_WEIGHT = re.compile(r" *([-+]?) *(\d+\.?\d*|\.\d+)\Z")
_TEXT = re.compile(r"([A-Z]{3}):([ -~]{0,25})\Z")
_DIAGNOSTIC = re.compile(r"[R_ ][E_ ][C_ ][M_ ]\Z")
_COMMAND = re.compile(r"[!-~]{1,8}\Z")


class SmaFormatError(ValueError):
    """A line that is not an SMA answer of the expected kind; the message says why."""


def parse_sma_frame(text: str) -> dict[str, Any]:
    """Decode the standard weight frame (between ``<LF>`` and ``<CR>``).

    Returns ``status`` (a letter of :data:`STATUSES`), ``range`` (int),
    ``mode`` (gross/tare/net), ``high_resolution``, ``motion``, ``weight``
    (None when the field is dashes) and ``unit`` (as sent, stripped; "" for
    none). Raises :class:`SmaFormatError`.
    """
    if len(text) != FRAME_LENGTH:
        raise SmaFormatError(f"a weight frame is not {FRAME_LENGTH} characters")
    status, rng, mode, motion = text[0], text[1], text[2], text[3]
    if status not in STATUSES:
        raise SmaFormatError(f"scale status {status!r} is not one of {''.join(STATUSES)!r}")
    if not rng.isdigit() or rng == "0":
        raise SmaFormatError(f"range {rng!r} is not 1-9")
    if mode.upper() not in MODES:
        raise SmaFormatError(f"gross/net {mode!r} is not G, T or N")
    if motion not in "M ":
        raise SmaFormatError(f"motion {motion!r} is not M or a space")
    if not " " <= text[4] <= "~":
        raise SmaFormatError("the reserved character is not printable")
    field_, unit = text[5:15], text[15:18]
    if field_.strip(" -") == "":
        weight = None
    else:
        match = _WEIGHT.match(field_)
        if match is None:
            raise SmaFormatError(f"weight {field_!r} is not a number")
        weight = float(match[1] + match[2]) + 0.0
    if unit != unit.rstrip() + " " * (3 - len(unit.rstrip())) or (unit.strip() and not unit.strip().isalpha()):
        raise SmaFormatError(f"unit {unit!r} is not letters padded with spaces")
    if weight is not None and not unit.strip():
        raise SmaFormatError("a weight without a unit")
    return {"status": status, "range": int(rng), "mode": MODES[mode.upper()], "high_resolution": mode.islower(),
            "motion": motion == "M", "weight": weight, "unit": unit.strip().lower()}


def parse_sma_text(text: str) -> tuple[str, str]:
    """An about/information line ``XXX:yyyy`` as (``XXX``, ``yyyy``); raises :class:`SmaFormatError`."""
    match = _TEXT.match(text)
    if match is None:
        raise SmaFormatError("not an 'XXX:text' line")
    return match[1], match[2].strip()


def parse_sma_diagnostic(text: str) -> list[str]:
    """The ``<r><e><c><m>`` answer to ``D`` as the errors it reports ([] when all is well)."""
    if _DIAGNOSTIC.match(text) is None:
        raise SmaFormatError("not a diagnostic answer (four of R/E/C/M or space)")
    return [DIAGNOSTIC_FLAGS[ch] for ch in text if ch in DIAGNOSTIC_FLAGS]


def answer_fits(command: str, text: str) -> bool:
    """Whether ``text`` has the shape of an answer to ``command``: ``?`` and ``!`` answer anything,
    weight commands a frame, A/B/I/N an ``XXX:text`` line, D the four diagnostic flags. Raw
    commands of a technician take any line."""
    if text in ("?", "!"):
        return True
    if command in WEIGHT_COMMANDS:
        return len(text) == FRAME_LENGTH
    if command in ("A", "B", "I", "N"):
        return _TEXT.match(text) is not None
    if command == "D":
        return _DIAGNOSTIC.match(text) is not None
    return True


def sma_reading(frame: dict[str, Any], tare: float | None) -> dict[str, Any]:
    """The scale reading (docs/contract.md) for a displayed-weight frame.

    ``O``/``U`` are overload/underload with no weight. A frame that shows no
    valid weight (dashes, a zero error) raises :class:`SmaFormatError`: it is
    dropped, not shown as a number. ``tare`` is reported for a net weight only.
    """
    if frame["status"] in ("O", "U"):
        unit = UNITS.get(frame["unit"], "kg")
        return scale_reading(None, unit, False, None, "overload" if frame["status"] == "O" else "underload")
    if frame["weight"] is None:
        raise SmaFormatError("no weight in the frame (dashes)")
    if frame["status"] in ("E", "I"):
        raise SmaFormatError(f"no valid weight: {STATUSES[frame['status']]}")
    if frame["unit"] not in UNITS:
        raise UnitError(f"unit {frame['unit']!r} is not one lanebox reports")
    weight, unit = normalize(frame["weight"], UNITS[frame["unit"]])
    net_tare = tare if frame["mode"] == "net" and tare else None
    return scale_reading(weight, unit, not frame["motion"], net_tare)


def encode_sma_frame(weight: float | None, unit: str = "kg", *, decimals: int = 0, status: str = " ",
                     mode: str = "G", motion: bool = False, range_: int = 1) -> bytes:
    """A weight frame as a scale sends it, ``<LF>`` to ``<CR>`` — for simulators and tests."""
    field_ = "-" * 10 if weight is None else f"{weight + 0.0:.{decimals}f}".rjust(10)
    if len(field_) != 10:
        raise ValueError(f"{weight} does not fit ten characters")
    text = f"{status}{range_}{mode}{'M' if motion else ' '} {field_}{unit:<3}"
    if len(text) != FRAME_LENGTH:
        raise ValueError(f"unit {unit!r} is longer than three characters")
    return LF + text.encode("ascii") + CR


@dataclass(eq=False)
class _Exchange:
    """One command on the line and its answer."""

    command: str
    timeout: float
    lines: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: DeviceError | None = None
    sent_at: float = 0.0
    on_done: Callable[["_Exchange"], None] | None = None

    @property
    def answer(self) -> str:
        return self.lines[-1]


class SmaScale(ScaleDriver):
    """An indicator speaking SMA SCP-0499, polled with ``W``.

    At connect: ``<ESC>`` (abort whatever the scale was doing), then the
    about lines (``A``, then ``B`` until ``?``), the information lines
    (``I``, then ``N`` until ``END`` or ``?``), the diagnostic (``D``) and
    the tare (``M``) for :attr:`identity`. Then ``W`` every
    ``poll_period`` s. Commands may be asked from any thread; they queue
    behind the one in flight.
    """

    name = "sma"
    identify_timeout = 1.0   # per command at connect
    weight_timeout = 1.0     # an unanswered W; twice stream_timeout without a weight is an error
    stream_timeout = 2.0
    poll_period = 0.1        # at most ten W a second (the scale answers after about 100 ms)
    max_text_lines = 8       # B or N asked at most this often

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("poll_interval", 0.05)
        super().__init__(*args, **kwargs)
        self._framer = LineFramer(self.drop, max_length=64)
        self._lock = threading.Lock()
        self._queue: deque[_Exchange] = deque()
        self._in_flight: _Exchange | None = None
        self._reader: threading.Thread | None = None
        self._polling = False
        self._tare: float | None = None
        self._mode = "gross"
        self._last_weight_at = 0.0
        self._next_poll = 0.0

    # ----- connection -------------------------------------------------
    def on_open(self) -> None:
        self._reader = threading.current_thread()
        self._framer.clear()
        self._polling, self._tare, self._mode = False, None, "gross"
        self.write(ESC)
        try:
            self.identify(self.identify_timeout)  # its first command, A, is level 1: every SMA scale answers it
        except DeviceError as exc:
            raise DeviceError(f"{self.port}: {exc} — is the scale on, set to SMA, "
                              f"at {self.settings.baudrate} baud?") from None
        self._read_tare(self.identify_timeout)
        self._last_weight_at = time.monotonic()
        self._polling = True

    def on_close(self) -> None:
        self._polling = False
        with self._lock:
            waiting = [x for x in (self._in_flight, *self._queue) if x is not None]
            self._in_flight, self._queue = None, deque()
        for exchange in waiting:
            self._finish(exchange, DeviceError(f"{self.port}: connection lost"))

    def on_idle(self) -> None:
        """Keep the line moving (:meth:`_tick`) and give up on a scale silent for twice ``stream_timeout``."""
        self._tick()
        silent = time.monotonic() - self._last_weight_at
        if self._polling and silent > 2 * self.stream_timeout:
            raise DeviceError(f"{self.port}: no weight from the scale for {silent:.1f} s")

    def _tick(self) -> None:
        """Time out an unanswered command and send the next poll when the line is free."""
        now = time.monotonic()
        with self._lock:
            late = self._in_flight
            if late is not None and now - late.sent_at > late.timeout:
                self._in_flight = None
            else:
                late = None
        if late is not None:
            self._finish(late, DeviceError(f"no answer to {late.command!r} within {late.timeout:g} s"))
            self._send_next()
        if not self._polling:
            return
        with self._lock:
            idle = self._in_flight is None and not self._queue
        if idle and now >= self._next_poll:
            self._next_poll = now + self.poll_period
            self._submit(_Exchange("W", self.weight_timeout, on_done=self._on_weight))

    # ----- incoming ---------------------------------------------------
    def handle_bytes(self, data: bytes) -> None:
        for line in list(self._framer.feed(data)):
            text = decode_ascii(line)
            with self._lock:
                exchange = self._in_flight
                fits = text is not None and exchange is not None and answer_fits(exchange.command, text)
                if fits:
                    self._in_flight = None
            if text is None:
                self.drop("not printable ASCII", line)
            elif exchange is None:
                self.drop("answer to no command", line)
            elif not fits:
                self.drop(f"not an answer to {exchange.command}", line)
            else:
                exchange.lines.append(text)
                self._finish(exchange)
                self._send_next()
        self._tick()  # the next poll goes out as soon as the answer is in

    def _on_weight(self, exchange: _Exchange) -> None:
        """A ``W`` answered (on the reader thread): publish it as a reading."""
        if exchange.error is not None:
            return
        raw = LF + exchange.answer.encode("ascii") + CR
        try:
            frame = parse_sma_frame(exchange.answer)
        except SmaFormatError as exc:
            self.drop(str(exc), raw)
            return
        self._last_weight_at = time.monotonic()
        if frame["mode"] == "net" and self._mode != "net":
            self._submit(_Exchange("M", self.identify_timeout, on_done=self._on_tare))  # tared at the panel
        self._mode = frame["mode"]
        if frame["mode"] == "gross":
            self._tare = None
        try:
            reading = sma_reading(frame, self._tare)
        except (SmaFormatError, UnitError) as exc:
            self.drop(str(exc), raw)
            return
        self.emit_reading(reading, raw)

    def _on_tare(self, exchange: _Exchange) -> None:
        if exchange.error is None:
            self._tare = self._tare_from(exchange.answer)

    @staticmethod
    def _tare_from(answer: str) -> float | None:
        try:
            frame = parse_sma_frame(answer)
        except SmaFormatError:
            return None  # "?": the scale does not tell its tare
        if frame["mode"] != "tare" or frame["weight"] is None or frame["unit"] not in UNITS:
            return None
        return normalize(frame["weight"], UNITS[frame["unit"]])[0] or None

    # ----- the line: one command at a time -----------------------------
    def _submit(self, exchange: _Exchange) -> _Exchange:
        with self._lock:
            self._queue.append(exchange)
        self._send_next()
        return exchange

    def _send_next(self) -> None:
        with self._lock:
            if self._in_flight is not None or not self._queue:
                return
            exchange = self._in_flight = self._queue.popleft()
            exchange.sent_at = time.monotonic()
        try:
            self.write(LF + exchange.command.encode("ascii") + CR)
        except DeviceError as exc:
            with self._lock:
                if self._in_flight is exchange:
                    self._in_flight = None
            self._finish(exchange, exc)

    def _finish(self, exchange: _Exchange, error: DeviceError | None = None) -> None:
        exchange.error = error
        exchange.done.set()
        if exchange.on_done is not None:
            exchange.on_done(exchange)

    def _request(self, command: str, timeout: float) -> str:
        """Send ``command`` when the line is free and wait for its answer; returns it."""
        exchange = self._submit(_Exchange(command, timeout))
        deadline = time.monotonic() + timeout + self.weight_timeout  # it may wait behind a poll
        if threading.current_thread() is self._reader:
            self.read_until(exchange.done.is_set, deadline)
        else:
            exchange.done.wait(max(0.0, deadline - time.monotonic()))
        if not exchange.done.is_set():
            with self._lock:
                if exchange in self._queue:
                    self._queue.remove(exchange)
            raise DeviceError(f"no answer to {command!r} within {timeout:g} s")
        if exchange.error is not None:
            raise exchange.error
        return exchange.answer

    def _weight_command(self, command: str, action: str, timeout: float) -> dict[str, Any]:
        answer = self._request(command, timeout)
        if answer in ("?", "!"):
            what = "the scale does not know it" if answer == "?" else "the scale got it garbled"
            raise DeviceError(f"{action} not possible: {what} ({answer})")
        try:
            return parse_sma_frame(answer)
        except SmaFormatError as exc:
            raise DeviceError(f"{action}: unexpected answer ({exc})") from None

    # ----- commands ---------------------------------------------------
    def zero(self, timeout: float = 5.0) -> None:
        """``Z``: done when the answer shows centre of zero; ``E`` is a zero error."""
        frame = self._weight_command("Z", "zero", timeout)
        if frame["status"] != "Z":
            raise DeviceError(f"zero not possible: {STATUSES[frame['status']]} (status {frame['status']!r})")
        self._tare, self._mode = None, frame["mode"]

    def tare(self, timeout: float = 5.0) -> float:
        """``T``: done when the answer is net without a tare error; the tare is then read with ``M``."""
        frame = self._weight_command("T", "tare", timeout)
        if frame["status"] == "T" or frame["mode"] != "net":
            raise DeviceError(f"tare not possible: {STATUSES[frame['status']]} (status {frame['status']!r}, "
                              f"{frame['mode']})")
        self._mode = "net"
        tare = self._read_tare(timeout)
        if tare is None:
            raise DeviceError("tare taken, but the scale does not report its tare (M)")
        return tare

    def clear_tare(self, timeout: float = 5.0) -> None:
        """``C``: done when the answer is gross."""
        frame = self._weight_command("C", "clear tare", timeout)
        if frame["mode"] != "gross":
            raise DeviceError(f"clear tare not possible: the scale still weighs {frame['mode']}")
        self._tare, self._mode = None, "gross"

    def _read_tare(self, timeout: float) -> float | None:
        self._tare = self._tare_from(self._request("M", timeout))
        return self._tare

    def diagnose(self, timeout: float = 2.0) -> list[str]:
        """``D``: the errors the scale's self-test reports ([] when none)."""
        answer = self._request("D", timeout)
        try:
            return parse_sma_diagnostic(answer)
        except SmaFormatError as exc:
            raise DeviceError(f"diagnostic: unexpected answer {len(answer)} characters long ({exc})") from None

    def identify(self, timeout: float = 2.0) -> dict[str, str]:
        """About (``A``/``B``: SMA level, maker, model, software), information
        (``I``/``N``: type, capacity) and the diagnostic (``D``)."""
        about = self._text_lines("A", "B", timeout)
        info = self._text_lines("I", "N", timeout)
        try:
            problems = self.diagnose(timeout)
            diagnostic = "; ".join(problems) or "ok"
        except DeviceError:
            diagnostic = "not supported"
        capacity = ""
        if "CAP" in info:  # uuu:ccc:n:d
            parts = info["CAP"].split(":")
            if len(parts) >= 2:
                capacity = f"{parts[1]} {parts[0].strip('_ ')}".strip()
        self.identity = {"model": " ".join(v for v in (about.get("MFG", ""), about.get("MOD", "")) if v),
                         "capacity": capacity, "firmware": about.get("REV", ""), "serial": "",
                         "protocol": f"SMA {about.get('SMA', '?')}", "diagnostic": diagnostic}
        return dict(self.identity)

    def _text_lines(self, first: str, more: str, timeout: float) -> dict[str, str]:
        """``first``, then ``more`` until ``?`` or ``END``: the ``XXX:text`` lines by key (the first CAP wins)."""
        lines: dict[str, str] = {}
        command = first
        for _ in range(self.max_text_lines):
            try:
                key, value = parse_sma_text(self._request(command, timeout))
            except SmaFormatError:
                break  # "?": no more
            if key == "END":
                break
            lines.setdefault(key, value)
            command = more
        return lines

    def send_command(self, text: str, timeout: float = 5.0) -> str:
        """One raw command (a technician's console), framed ``<LF>text<CR>``; returns the answer as sent."""
        if not _COMMAND.match(text.strip()):
            raise ValueError("a command is 1-8 printable ASCII characters")
        return self._request(text.strip(), timeout)
