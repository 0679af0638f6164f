"""``mt-sics``: Mettler Toledo's Standard Interface Command Set (levels 0-1, and C3).

The host sends one command per line (CR LF); the scale answers each with a
line whose first token echoes the command family (``Z A`` for ``Z``, ``S S``
for ``S``/``SI``/``SIR``, ``I4 A`` for ``@``) and whose second is a status
(``A`` done, ``B`` more to come, ``I`` not now, ``L`` not allowed, ``+``/``-``
out of range, ``S``/``D`` stable/dynamic weight). Bare ``ES``/``ET``/``EL``
answer a command the scale could not take. Columns differ between makers,
so replies are split on runs of spaces, never by position.

Extended resolution: ``SIH`` (MT-SICS level 3, "send weight immediately in
higher resolution") reads the weight once in the service mode's finer
interval, for calibrating an indicator that shows whole e. It is asked for
between an ``@`` (whose ``I4`` answer is the last line before the stream
stops, so no streamed ``S`` line can be taken for the answer) and ``SIR``
again; the answer is returned, never published as a reading.

Streaming: the driver starts ``SIR`` (send immediately and repeat), so the
scale pushes every display update (~10/s) and a reading costs one line
from the scale and nothing from the host. Polling with ``SI`` (``stream="si"``)
is kept for scales without SIR and for benchmarking the two: each reading
then costs a request, arrives one poll interval late at worst, and the
polls compete with commands on the line.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.base import DeviceError
from drivers.framing import LineFramer
from drivers.scale import ScaleDriver, Tare, UnitError, normalize, scale_reading, tare_in

ERROR_IDS = ("ES", "ET", "EL")
STATUSES = ("A", "B", "I", "L", "+", "-", "S", "D")
#: reply families whose S/D status must carry a weight
WEIGHT_IDS = ("S", "T")

_ID = re.compile(r"[A-Z][A-Z0-9]*\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\Z")
_UNIT = re.compile(r"[A-Za-z%\xb5][A-Za-z%/\xb5]*\Z")
_COMMAND = re.compile(r"[ -~]+\Z")

#: the command the driver streams with, by ``stream`` mode
STREAM_COMMANDS = {"sir": "SIR", "si": "SI"}
#: commands after which a running SIR has stopped (docs/protocols.md section 1)
_STOPS_STREAM = ("S", "SI", "SR", "@")

_ACTIONS = {"Z": "zero", "ZI": "zero", "T": "tare", "TA": "preset tare", "TAC": "clear tare",
            "C3": "internal adjustment", "S": "stable weight", "SI": "weight", "@": "reset",
            "SIH": "higher-resolution weight",
            "I2": "identify", "I3": "identify", "I4": "identify"}
_REASONS = {"I": "scale busy or not stable", "L": "value or unit not allowed",
            "+": "above range", "-": "below range", "ES": "the scale does not know this command",
            "ET": "transmission error", "EL": "logical error"}
_SPECIFIC_REASONS = {("Z", "I"): "scale not stable", ("T", "I"): "scale not stable",
                     ("S", "I"): "scale not stable", ("Z", "+"): "load above the zero-setting range",
                     ("Z", "-"): "load below the zero-setting range",
                     ("C3", "I"): "aborted (load moved or adjustment cancelled)",
                     ("C3", "L"): "the scale has no internal adjustment weight"}


class MtSicsFormatError(ValueError):
    """A line that is not an MT-SICS reply; the message says why."""


class MtSicsReplyError(DeviceError):
    """The scale answered, but refused or failed the command."""

    def __init__(self, message: str, reply: dict[str, Any]) -> None:
        super().__init__(message)
        self.reply = reply


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split on runs of spaces; ``"quoted text"`` is one token. Returns (text, quoted)."""
    tokens: list[tuple[str, bool]] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] == " ":
            pos += 1
        if pos == end:
            return tokens
        if text[pos] == '"':
            close = text.find('"', pos + 1)
            if close < 0:
                raise MtSicsFormatError("unterminated quoted text")
            tokens.append((text[pos + 1:close], True))
            pos = close + 1
            if pos < end and text[pos] != " ":
                raise MtSicsFormatError("text runs on after a closing quote")
        else:
            stop = text.find(" ", pos)
            stop = end if stop < 0 else stop
            word = text[pos:stop]
            if '"' in word:
                raise MtSicsFormatError(f"stray quote in {word!r}")
            tokens.append((word, False))
            pos = stop


def _weight(rest: list[tuple[str, bool]]) -> tuple[float, str] | None:
    """``<value> <unit>`` (a sign may stand apart from the digits), or None."""
    if any(quoted for _, quoted in rest):
        return None
    words = [word for word, _ in rest]
    if len(words) == 3 and words[0] in ("+", "-"):
        words = [words[0] + words[1], words[2]]
    if len(words) == 2 and _NUMBER.match(words[0]) and _UNIT.match(words[1]):
        return float(words[0]), words[1]
    return None


def parse_mt_sics_line(line: bytes) -> dict[str, Any]:
    """Decode one reply line (without its CR LF).

    Returns ``{"id", "status", "value", "unit", "args"}``: ``status`` is None
    for a bare ``ES``/``ET``/``EL``; ``value``/``unit`` are set when the reply
    carries a weight; ``args`` are the tokens after the status, quotes
    removed (the text of I-commands). Raises :class:`MtSicsFormatError`.
    """
    text = line.decode("latin-1")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise MtSicsFormatError("control characters in the line")
    tokens = _tokens(text)
    if not tokens:
        raise MtSicsFormatError("empty line")
    ident, quoted = tokens[0]
    if quoted or not _ID.match(ident):
        raise MtSicsFormatError(f"{ident[:20]!r} is not a reply id")
    if ident in ERROR_IDS and len(tokens) == 1:
        return {"id": ident, "status": None, "value": None, "unit": None, "args": []}
    if len(tokens) < 2 or tokens[1][1] or tokens[1][0] not in STATUSES:
        got = tokens[1][0][:10] if len(tokens) > 1 else "nothing"
        raise MtSicsFormatError(f"reply {ident[:20]!r} has status {got!r}, not one of {' '.join(STATUSES)}")
    status, rest = tokens[1][0], tokens[2:]
    weight = _weight(rest)
    if weight is None and status in ("S", "D") and ident in WEIGHT_IDS:
        raise MtSicsFormatError(f"'{ident} {status}' reply without a <value> <unit> weight")
    value, unit = weight if weight else (None, None)
    return {"id": ident, "status": status, "value": value, "unit": unit, "args": [t for t, _ in rest]}


def weight_reading(reply: dict[str, Any], tare: Tare | None, *, unit: str = "kg") -> dict[str, Any]:
    """The scale reading (docs/contract.md) for an ``S S``/``S D``/``S +``/``S -`` reply.

    ``tare`` is the active tare as (value, unit), converted to the reading's
    unit. ``unit`` is what an overload/underload reading (which carries no
    weight) reports: the scale's unit. mg and oz are converted to g and lb;
    other units raise :class:`~drivers.scale.UnitError`.
    """
    if reply["id"] != "S" or reply["status"] not in ("S", "D", "+", "-"):
        raise MtSicsFormatError(f"'{reply['id']} {reply['status']}' is not a weight reply")
    if reply["status"] in ("+", "-"):
        status = "overload" if reply["status"] == "+" else "underload"
        return scale_reading(None, unit, False, tare_in(tare, unit), status)
    weight, reading_unit = normalize(reply["value"], reply["unit"])
    return scale_reading(weight, reading_unit, reply["status"] == "S", tare_in(tare, reading_unit))


def reply_error(command: str, reply: dict[str, Any]) -> MtSicsReplyError:
    """A human message for a refusal, e.g. "zero not possible: scale not stable (Z I)"."""
    name = command.split(" ", 1)[0]
    action = _ACTIONS.get(name, f"command {name}")
    if reply["status"] is None:
        return MtSicsReplyError(f"{action} failed: {_REASONS[reply['id']]} ({reply['id']})", reply)
    code = f"{reply['id']} {reply['status']}"
    reason = _SPECIFIC_REASONS.get((reply["id"], reply["status"]),
                                   _REASONS.get(reply["status"], "unexpected answer"))
    return MtSicsReplyError(f"{action} not possible: {reason} ({code})", reply)


def reply_id(command: str) -> str:
    """The id the answer to ``command`` echoes: ``S`` for the S family, ``I4`` for ``@``."""
    name = command.split(" ", 1)[0]
    if name in ("S", "SI", "SIR", "SR", "SIH"):
        return "S"
    return "I4" if name == "@" else name


def _format_number(value: float) -> str:
    return f"{value:.9f}".rstrip("0").rstrip(".")


@dataclass(eq=False)
class _Pending:
    """A command waiting for its answer (and, after ``B`` lines, its last line)."""

    text: str
    reply_id: str
    replies: list[dict[str, Any]] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: DeviceError | None = None

    @property
    def name(self) -> str:
        return self.text.split(" ", 1)[0]


class MtSicsScale(ScaleDriver):
    """A scale or balance speaking MT-SICS.

    At connect: ``@`` (reset: stops a running SIR, clears the tare), then
    I2/I3/I4 for :attr:`identity`, then the stream. Commands may be sent
    from any thread while the stream runs: each is matched to its answer
    by the id echo, oldest first; weight lines keep flowing in between.
    """

    name = "mt-sics"
    extended_command = "SIH"  # what :meth:`read_extended` sends
    identify_timeout = 1.0   # per command at connect
    stream_timeout = 2.0     # silence before SIR is sent again; twice this is an error

    def __init__(self, *args: Any, stream: str = "sir", **kwargs: Any) -> None:
        if stream not in STREAM_COMMANDS:
            raise ValueError(f"stream must be one of {', '.join(STREAM_COMMANDS)}, not {stream!r}")
        if stream == "si":
            kwargs.setdefault("poll_interval", 0.1)  # SI goes out after this much quiet
        super().__init__(*args, **kwargs)
        self.stream = stream
        self._framer = LineFramer(self.drop)
        self._pending: list[_Pending] = []
        self._pending_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._tare: Tare | None = None
        self._unit = "kg"
        self._streaming = False
        self._last_weight_at = 0.0
        self._kicked_at = 0.0
        self._extended_lock = threading.Lock()
        self._holding = False  # the stream is stopped on purpose (SIH)

    # ----- connection -------------------------------------------------
    def on_open(self) -> None:
        self._reader = threading.current_thread()
        self._framer.clear()
        self._streaming = False
        self._tare = None
        try:
            self._request("@", self.identify_timeout)
        except MtSicsReplyError:
            pass  # it answered: an MT-SICS device that refuses a reset is still one
        except DeviceError as exc:
            raise DeviceError(f"{self.port}: {exc} — is the scale on, set to MT-SICS, "
                              f"at {self.settings.baudrate} baud?") from None
        self.identify(self.identify_timeout)
        self._start_stream()

    def on_close(self) -> None:
        self._streaming = False
        with self._pending_lock:
            pending, self._pending = self._pending, []
        for item in pending:
            self._finish(item, DeviceError(f"{self.port}: connection lost"))

    def on_idle(self) -> None:
        """Keep the stream alive: poll (SI), or re-send SIR after a silence
        (a scale that rebooted has forgotten it); a scale silent for twice
        ``stream_timeout`` is an error, and the base class reconnects."""
        if not self._streaming or self._pending or self._holding:
            return  # a long command (C3) or an SIH may hold the stream up
        now = time.monotonic()
        silent = now - self._last_weight_at
        if silent > 2 * self.stream_timeout:
            raise DeviceError(f"{self.port}: no weight from the scale for {silent:.1f} s")
        if self.stream == "si" or (silent > self.stream_timeout and now - self._kicked_at > self.stream_timeout):
            self._kicked_at = now
            self.write(STREAM_COMMANDS[self.stream].encode() + b"\r\n")

    def _start_stream(self) -> None:
        self._last_weight_at = self._kicked_at = time.monotonic()
        self._streaming = True
        self.write(STREAM_COMMANDS[self.stream].encode() + b"\r\n")

    # ----- incoming ---------------------------------------------------
    def handle_bytes(self, data: bytes) -> None:
        # list(): a reading listener may send a command, which pumps the port
        for line in list(self._framer.feed(data)):
            try:
                reply = parse_mt_sics_line(line)
            except MtSicsFormatError as exc:
                self.drop(str(exc), line)
                continue
            self._on_reply(reply, line)

    def _on_reply(self, reply: dict[str, Any], line: bytes) -> None:
        pending = self._match(reply)
        if reply["id"] == "S":
            self._last_weight_at = time.monotonic()
            extended = pending is not None and pending.name == "SIH"  # not what the display shows
            if reply["status"] in ("S", "D", "+", "-") and not extended:
                self._publish(reply, line)
        if pending is None:
            if reply["id"] != "S":  # S lines are the stream; anything else was not asked for
                self.drop("reply to no pending command", line)
            return
        self._track_tare(pending.name, reply)
        pending.replies.append(reply)
        pending.lines.append(line)
        if reply["status"] != "B":
            with self._pending_lock:  # (it may have timed out meanwhile: then it is gone)
                position = self._pending.index(pending) if pending in self._pending else 0
                older = self._pending[:position] if pending.name == "@" else []
                self._pending = [p for p in self._pending if p is not pending and p not in older]
            for item in older:  # the reset cancelled them: their answers will never come
                self._finish(item, DeviceError(f"{item.text!r} cancelled by a reset (@)"))
            self._finish(pending)

    def _match(self, reply: dict[str, Any]) -> _Pending | None:
        """The oldest pending command this reply answers (bare errors: the oldest of all)."""
        with self._pending_lock:
            for pending in self._pending:
                if reply["status"] is None or pending.reply_id == reply["id"]:
                    return pending
        return None

    def _publish(self, reply: dict[str, Any], line: bytes) -> None:
        if not self._streaming:
            return  # before the reset: the tare is unknown
        try:
            reading = weight_reading(reply, self._tare, unit=self._unit)
        except UnitError as exc:
            self.drop(str(exc), line)
            return
        self._unit = reading["unit"]
        self.emit_reading(reading, line)

    def _track_tare(self, command: str, reply: dict[str, Any]) -> None:
        """Follow the scale's tare memory so readings carry it (T/TA set it;
        TAC, zeroing and reset clear it)."""
        code = (reply["id"], reply["status"])
        if code in (("T", "S"), ("TA", "A")) and reply["value"] is not None:
            try:
                self._tare = normalize(reply["value"], reply["unit"])
            except UnitError:
                self._tare = None
        elif code in (("TAC", "A"), ("Z", "A"), ("ZI", "S"), ("ZI", "D")) or (command == "@" and code == ("I4", "A")):
            self._tare = None

    @staticmethod
    def _finish(pending: _Pending, error: DeviceError | None = None) -> None:
        pending.error = error
        pending.done.set()

    # ----- commands ---------------------------------------------------
    def _send(self, command: str) -> _Pending:
        """Register ``command`` as pending, then send it (so its answer cannot come first)."""
        pending = _Pending(command, reply_id(command))
        with self._pending_lock:
            self._pending.append(pending)
        try:
            self.write(command.encode("latin-1") + b"\r\n")
        except DeviceError:
            self._forget(pending)
            raise
        return pending

    def _wait(self, pending: _Pending, timeout: float) -> _Pending:
        """Wait for the final answer of a sent command; raise if none comes."""
        try:
            self._await(pending, timeout)
        finally:
            self._forget(pending)
        if pending.error is not None:
            raise pending.error
        if not pending.done.is_set():
            raise DeviceError(f"no answer to {pending.text!r} within {timeout:g} s")
        return pending

    def _forget(self, pending: _Pending) -> None:
        with self._pending_lock:
            if pending in self._pending:
                self._pending.remove(pending)

    def _await(self, pending: _Pending, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if threading.current_thread() is not self._reader:
            pending.done.wait(timeout)
            return
        # on the reader thread (on_open) nobody else reads: pump the port here
        self.read_until(pending.done.is_set, deadline)

    def _request(self, command: str, timeout: float) -> _Pending:
        return self._wait(self._send(command), timeout)

    @staticmethod
    def _check(pending: _Pending, ok: tuple[str, ...] = ("A",)) -> dict[str, Any]:
        """The final answer, if its status is one of ``ok``; else the refusal, raised."""
        final = pending.replies[-1]
        if final["status"] not in ok:
            raise reply_error(pending.text, final)
        return final

    def _expect(self, command: str, timeout: float, ok: tuple[str, ...] = ("A",)) -> dict[str, Any]:
        return self._check(self._request(command, timeout), ok)

    def _text(self, pending: _Pending, timeout: float) -> str:
        """The quoted text an I-command answers; "" if the scale does not know it."""
        try:
            return " ".join(self._check(self._wait(pending, timeout))["args"])
        except MtSicsReplyError:
            return ""

    def zero(self, timeout: float = 5.0) -> None:
        self._expect("Z", timeout)

    def tare(self, timeout: float = 5.0) -> float:
        final = self._expect("T", timeout, ok=("S",))
        return normalize(final["value"], final["unit"])[0]

    def clear_tare(self, timeout: float = 5.0) -> None:
        self._expect("TAC", timeout)

    def preset_tare(self, value: float, unit: str, timeout: float = 5.0) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"a tare must be a finite number >= 0, not {value!r}")
        if not _UNIT.match(unit):
            raise ValueError(f"{unit!r} is not a unit")
        final = self._expect(f"TA {_format_number(value)} {unit}", timeout)
        if final["value"] is None:
            raise reply_error("TA", final)
        return normalize(final["value"], final["unit"])[0]

    def identify(self, timeout: float = 2.0) -> dict[str, str]:
        """I2 (type and capacity), I3 (software), I4 (serial number)."""
        pending = [self._send(command) for command in ("I2", "I3", "I4")]  # one wait for three answers
        words = self._text(pending[0], timeout).split()
        if len(words) >= 3 and _NUMBER.match(words[-2]):
            model, capacity = " ".join(words[:-2]), f"{words[-2]} {words[-1]}"
            try:  # the unit overload readings report until a weight shows one
                self._unit = normalize(0.0, words[-1])[1]
            except UnitError:
                pass
        else:
            model, capacity = " ".join(words), ""
        self.identity = {"model": model, "capacity": capacity,
                         "firmware": self._text(pending[1], timeout), "serial": self._text(pending[2], timeout)}
        return dict(self.identity)

    def send_command(self, text: str, timeout: float = 5.0) -> str:
        """One raw command; returns the answer (several lines joined by LF for
        ``B`` replies such as I0). Refusals (ES, ``X I``...) are returned, not
        raised: the technician wants to see them. A command that stops SIR
        is followed by SIR again, so the live readings go on."""
        if not _COMMAND.match(text) or not text.strip():
            raise ValueError("a command is one line of printable ASCII")
        pending = self._request(text.strip(), timeout)
        if self.stream == "sir" and self._streaming and pending.name in _STOPS_STREAM:
            self.write(b"SIR\r\n")
        return "\n".join(line.decode("latin-1") for line in pending.lines)

    def read_extended(self, timeout: float = 5.0) -> tuple[dict[str, Any], bytes]:
        """The weight now in the scale's higher (service) resolution, as a
        reading with its raw line: ``@`` stops the stream (and clears the
        tare), ``SIH`` reads, ``SIR`` restarts the stream. A scale without
        SIH raises :class:`MtSicsReplyError` (``ES``)."""
        with self._extended_lock:
            self._holding = True
            try:
                self._request("@", timeout)  # answered by I4: no streamed S line comes after it
                pending = self._request("SIH", timeout)
                final = self._check(pending, ok=("S", "D", "+", "-"))
                return weight_reading(final, None, unit=self._unit), pending.lines[-1]
            finally:
                self._holding = False
                if self._streaming:
                    self._start_stream()

    def adjust_internal(self, timeout: float = 120.0) -> None:
        """C3: ``C3 B`` (started), then ``C3 A`` (adjusted); I or L raise."""
        self._expect("C3", timeout)
