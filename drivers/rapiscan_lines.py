"""``rapiscan-lines``: Rapiscan-type vehicle radiation portal monitors (RPMs), one CSV line per message.

The monitor sends, over a terminal-server port, lines whose first field names
the message (docs/protocols.md section 11): backgrounds while the lane is
empty (``GB``/``NB``), gamma and neutron counts every 200 ms while a vehicle
is in it (``GS``/``NS``, or ``GA``/``NA`` while alarming), the end of the
occupancy (``GX``), the vehicle's speed (``SP``), tamper (``TT``/``TC``),
background faults (``GH``/``GL``/``NH``) and its setup (``SG1``-``SG3``,
``SN1``-``SN2``). The vendor's interface document is not public: field
counts are taken as the open-source OSCAR driver reads them, extra fields
are accepted and ignored, but every field lanebox uses must be what it
should be, or the line is dropped and counted.

A line is not a reading: :class:`OccupancyFold` folds the lines into the
three readings the lane needs — a background now and then, "a vehicle
arrived", and the occupancy with its maxima and alarm flags when it has
gone — and tamper and faults become the device's state.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Callable

from drivers.base import CONNECTED, ERROR, SerialDriver
from drivers.framing import LineFramer, decode_ascii

DETECTORS = 4
"""Counts per gamma or neutron line: four detectors (two per pillar)."""
MAX_LINE = 256
MAX_COUNT = 10_000_000
"""A detector count above this is not a count (a 200 ms gamma line holds hundreds, not millions)."""
MAX_SPEED_KMH = 300.0
SCAN_SECONDS = 0.2
"""The interval one GS/GA line counts over; OSCAR sums five of them for counts per second."""
CPS_WINDOW = 5

COUNT_LINES = {"GB": "gamma", "GH": "gamma", "GL": "gamma", "GS": "gamma", "GA": "gamma",
               "NB": "neutron", "NH": "neutron", "NS": "neutron", "NA": "neutron"}
SCAN_LINES = ("GS", "GA", "NS", "NA")
ALARM_LINES = ("GA", "NA")
FLAG_LINES = ("TT", "TC")
FAULTS = {"GH": "gamma background too high", "GL": "gamma background too low", "NH": "neutron background too high"}
FAULT_CLEARED_BY = {"GB": ("GH", "GL"), "NB": ("NH",)}
TAMPER = "tamper: the monitor reports its cabinet or a detector was opened"

_INT = re.compile(r"\d{1,9}")
_NUMBER = re.compile(r"\d{1,9}(\.\d{1,9})?")
_TEXT = re.compile(r"[\x21-\x7e]([\x20-\x7e]{0,62}[\x21-\x7e])?")

#: the setup lines' fields as OSCAR names them, with what each must be
SETUP_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "SG1": (("high_background_fault", "int"), ("low_background_fault", "int"), ("intervals", "int"),
            ("occupancy_holdin", "int"), ("nsigma", "number")),
    "SG2": (("detectors", "text"), ("lower_discriminator", "number"), ("upper_discriminator", "number"),
            ("relay_output", "int"), ("algorithm", "text"), ("software_version", "text")),
    "SG3": (("aux_lower_discriminator", "number"), ("aux_upper_discriminator", "number"),
            ("background_time", "int"), ("background_nsigma", "number"), ("firmware_version", "text")),
    "SN1": (("high_background_fault", "int"), ("max_intervals", "int"), ("alpha", "int"), ("zmax", "int"),
            ("sequential_intervals", "int"), ("background_time", "int")),
    "SN2": (("master_lower_discriminator", "number"), ("master_upper_discriminator", "number"),
            ("slave_lower_discriminator", "number"), ("slave_upper_discriminator", "number")),
}
#: setup values that say which monitor this is (the device's identity)
IDENTITY_FIELDS = ("software_version", "firmware_version", "algorithm")


class RpmFormatError(ValueError):
    """A line that is not a Rapiscan-type RPM message lanebox can use; the message says why."""


def _field(text: str, kind: str, what: str) -> int | float | str:
    value = text.strip()
    if kind == "int":
        if not _INT.fullmatch(value):
            raise RpmFormatError(f"{what} is not a whole number")
        return int(value)
    if kind == "number":
        if not _NUMBER.fullmatch(value):
            raise RpmFormatError(f"{what} is not a number")
        return float(value)
    if not _TEXT.fullmatch(value):
        raise RpmFormatError(f"{what} is empty or too long")
    return value


def _counts(head: str, fields: list[str]) -> list[int]:
    if len(fields) < DETECTORS:
        raise RpmFormatError(f"{head} needs {DETECTORS} detector counts")
    counts = [int(_field(text, "int", f"{head} count")) for text in fields[:DETECTORS]]
    if max(counts) > MAX_COUNT:
        raise RpmFormatError(f"{head} count out of range")
    return counts


def parse_rpm_line(line: bytes) -> dict[str, Any]:
    """Decode one line (without its end) into ``{"type": <first field>, ...}``.

    ``GB GH GL GS GA NB NH NS NA``: ``counts`` (4 ints); ``GX``: ``occupancy``
    and ``neutron_background`` (the second field / 1000, or None);
    ``SP``: ``seconds``, ``mph``, ``kmh``; ``TT``/``TC``: nothing more;
    ``SG1``-``SN2``: ``values`` by name. Fields past those are ignored.
    Raises :class:`RpmFormatError` for anything else.
    """
    text = decode_ascii(line)
    if text is None:
        raise RpmFormatError("not printable ASCII")
    head, *fields = (part.strip() for part in text.split(","))
    if head in COUNT_LINES:
        return {"type": head, "counts": _counts(head, fields)}
    if head == "GX":
        if not fields:
            raise RpmFormatError("GX needs the occupancy count")
        occupancy = int(_field(fields[0], "int", "GX occupancy count"))
        background = None
        if len(fields) > 1 and fields[1]:  # neutron background x 1000, as OSCAR reads it
            background = float(_field(fields[1], "number", "GX neutron background")) / 1000
        return {"type": "GX", "occupancy": occupancy, "neutron_background": background}
    if head == "SP":
        if len(fields) < 3:
            raise RpmFormatError("SP needs a time, mph and km/h")
        seconds, mph, kmh = (float(_field(t, "number", f"SP {w}")) for t, w in zip(fields, ("time", "mph", "km/h")))
        if kmh > MAX_SPEED_KMH:
            raise RpmFormatError("SP speed out of range")
        return {"type": "SP", "seconds": seconds, "mph": mph, "kmh": kmh}
    if head in FLAG_LINES:
        return {"type": head}
    if head in SETUP_FIELDS:
        names = SETUP_FIELDS[head]
        if not fields:
            raise RpmFormatError(f"{head} has no values")
        return {"type": head, "values": {name: _field(value, kind, f"{head} {name}")
                                         for (name, kind), value in zip(names, fields)}}
    raise RpmFormatError("unknown message")


def utc_iso(moment: datetime) -> str:
    """``moment`` as ISO-8601 UTC with milliseconds and a ``Z``, as every lanebox timestamp is written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _Occupancy:
    """One vehicle's pass, folded as its lines arrive; memory is bounded by the fold's line limit."""

    started_at: str
    started: float
    lines: list[bytes] = field(default_factory=list)
    gamma_window: deque[list[int]] = field(default_factory=lambda: deque(maxlen=CPS_WINDOW))
    gamma_max_cps: list[int] = field(default_factory=lambda: [0] * DETECTORS)
    neutron_max: list[int] = field(default_factory=lambda: [0] * DETECTORS)
    gamma_alarm: bool = False
    neutron_alarm: bool = False
    speed_kmh: float | None = None

    def add_gamma(self, counts: list[int]) -> None:
        self.gamma_window.append(counts)
        span = len(self.gamma_window) * SCAN_SECONDS  # counts per second over the last second (or less, at first)
        cps = [round(sum(line[i] for line in self.gamma_window) / span) for i in range(DETECTORS)]
        self.gamma_max_cps = [max(a, b) for a, b in zip(self.gamma_max_cps, cps)]

    def add_neutron(self, counts: list[int]) -> None:
        self.neutron_max = [max(a, b) for a, b in zip(self.neutron_max, counts)]


Emit = Callable[[dict[str, Any], bytes], None]
Drop = Callable[[str, bytes], None]


class OccupancyFold:
    """Turns the monitor's messages into readings (docs/contract.md, kind ``radiation``), without I/O.

    - ``background`` (latest GB and NB) at most every ``background_interval_s`` while the lane is empty;
    - ``occupied`` once, at the first scan line after background;
    - ``occupancy`` once, at GX, with per-detector maxima, the backgrounds before it, alarm flags, speed.

    An occupancy that never ends — a background line before its GX, more than
    ``max_lines`` lines or ``max_seconds`` without GX — is abandoned and
    counted as a drop (its reason says whether it had alarmed), so memory
    stays bounded and the next vehicle starts afresh.
    """

    def __init__(self, emit: Emit, drop: Drop, *, background_interval_s: float = 5.0,
                 max_lines: int = 6000, max_seconds: float = 600.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._emit, self._drop = emit, drop
        self.background_interval_s, self.max_lines, self.max_seconds = background_interval_s, max_lines, max_seconds
        self._monotonic, self._now = monotonic, now
        self.gamma_background: tuple[list[int], bytes] | None = None
        self.neutron_background: tuple[list[int], bytes] | None = None
        self._last_background: float | None = None
        self._fresh: set[str] = set()  # which backgrounds have come since the last vehicle
        self.occupancy: _Occupancy | None = None

    def feed(self, message: dict[str, Any], line: bytes) -> None:
        kind = message["type"]
        occupancy = self._current(kind, line)
        if kind in ("GB", "NB"):
            self._background(kind, message["counts"], line)
        elif kind in SCAN_LINES:
            self._scan(kind, message["counts"], line, occupancy)
        elif kind == "GX":
            self._end(message, line, occupancy)
        elif kind == "SP" and occupancy is not None:
            occupancy.speed_kmh = message["kmh"]
            occupancy.lines.append(line)
        elif occupancy is not None:
            occupancy.lines.append(line)

    def _current(self, kind: str, line: bytes) -> _Occupancy | None:
        """The occupancy going on, after abandoning one that has run away or that background says is over."""
        occupancy = self.occupancy
        if occupancy is None:
            return None
        why = None
        if kind in ("GB", "NB"):
            why = "background before GX"
        elif len(occupancy.lines) >= self.max_lines:
            why = f"more than {self.max_lines} lines without GX"
        elif self._monotonic() - occupancy.started > self.max_seconds:
            why = f"no GX for {self.max_seconds:.0f} s"
        if why is None:
            return occupancy
        alarmed = "alarmed " if occupancy.gamma_alarm or occupancy.neutron_alarm else ""
        self._drop(f"{alarmed}occupancy abandoned: {why}", b"\r\n".join(occupancy.lines))
        self.occupancy = None
        return None

    def _background(self, kind: str, counts: list[int], line: bytes) -> None:
        if kind == "GB":
            self.gamma_background = (counts, line)
        else:
            self.neutron_background = (counts, line)
        self._fresh.add(kind)
        if self.gamma_background is None or self.neutron_background is None or len(self._fresh) < 2:
            return
        now = self._monotonic()
        if self._last_background is not None and now - self._last_background < self.background_interval_s:
            return
        self._last_background = now
        (gamma, gamma_line), (neutron, neutron_line) = self.gamma_background, self.neutron_background
        self._emit({"phase": "background", "gamma_cps": list(gamma), "neutron_counts": list(neutron)},
                   gamma_line + b"\r\n" + neutron_line)

    def _scan(self, kind: str, counts: list[int], line: bytes, occupancy: _Occupancy | None) -> None:
        if occupancy is None:
            occupancy = self.occupancy = _Occupancy(started_at=utc_iso(self._now()), started=self._monotonic())
            self._fresh.clear()
            self._emit({"phase": "occupied", "started_at": occupancy.started_at}, line)
        occupancy.lines.append(line)
        if kind in ("GS", "GA"):
            occupancy.add_gamma(counts)
            occupancy.gamma_alarm |= kind == "GA"
        else:
            occupancy.add_neutron(counts)
            occupancy.neutron_alarm |= kind == "NA"

    def _end(self, message: dict[str, Any], line: bytes, occupancy: _Occupancy | None) -> None:
        if occupancy is None:
            self._drop("GX without an occupancy", line)
            return
        self.occupancy = None
        self._last_background = None  # the lane is empty again: say its background at once
        occupancy.lines.append(line)
        gamma = self.gamma_background[0] if self.gamma_background else None
        neutron = self.neutron_background[0] if self.neutron_background else None
        self._emit({
            "phase": "occupancy", "occupancy": message["occupancy"],
            "started_at": occupancy.started_at, "ended_at": utc_iso(self._now()),
            "gamma": {"max_cps": occupancy.gamma_max_cps, "background_cps": list(gamma) if gamma else None},
            "neutron": {"max_counts": occupancy.neutron_max, "background_counts": list(neutron) if neutron else None},
            "gamma_alarm": occupancy.gamma_alarm, "neutron_alarm": occupancy.neutron_alarm,
            "alarm": occupancy.gamma_alarm or occupancy.neutron_alarm, "speed_kmh": occupancy.speed_kmh,
        }, b"\r\n".join(occupancy.lines))


class RapiscanLinesMonitor(SerialDriver):
    """A Rapiscan-type RPM on a terminal-server port (or any serial line): it only talks, never listens."""

    kind = "radiation"
    name = "rapiscan-lines"

    def __init__(self, *args: Any, background_interval_s: float = 5.0, max_occupancy_lines: int = 6000,
                 max_occupancy_s: float = 600.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framer = LineFramer(self.drop, max_length=MAX_LINE)
        self.fold = OccupancyFold(self.emit_reading, self.drop, background_interval_s=background_interval_s,
                                  max_lines=max_occupancy_lines, max_seconds=max_occupancy_s)
        self.setup: dict[str, dict[str, Any]] = {}
        self.problems: dict[str, str] = {}  # what is wrong with the monitor now: tamper, faults

    def on_open(self) -> None:
        self._framer.clear()

    def handle_bytes(self, data: bytes) -> None:
        for line in self._framer.feed(data):
            try:
                message = parse_rpm_line(line)
            except RpmFormatError as exc:
                self.drop(str(exc), line)
                continue
            self._note_condition(message)
            self.fold.feed(message, line)
        self._report_state()

    def _note_condition(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "TT":
            self.problems["TT"] = TAMPER
        elif kind == "TC":
            self.problems.pop("TT", None)
        elif kind in FAULTS:
            self.problems[kind] = FAULTS[kind]
        elif kind in FAULT_CLEARED_BY:
            for fault in FAULT_CLEARED_BY[kind]:
                self.problems.pop(fault, None)
        elif kind in SETUP_FIELDS:
            self.setup[kind] = message["values"]
            self.identity.update({k: str(v) for k, v in message["values"].items() if k in IDENTITY_FIELDS})

    def _report_state(self) -> None:
        """Tamper and faults are the device's state (``error`` with what is wrong), cleared when they end."""
        if self.state not in (CONNECTED, ERROR):
            return
        if self.problems:
            self.set_state(ERROR, "; ".join(self.problems[k] for k in sorted(self.problems)))
        elif self.state == ERROR:
            self.set_state(CONNECTED, self.port)
