"""``mrz-reader``: travel-document readers that send ICAO 9303 MRZ lines.

A reader sends each MRZ line ended by CR, LF or CRLF and nothing says where
a document starts or ends; the shape does. Many readers frame a zone with
control characters — DESKO's CUTE profile sends ``<SODn><STX> line <CR> ...
<CR><ETX><EODn>`` — so C0 control characters at either end of a line are
framing and are stripped (:func:`unframe`); one inside a line spoils it. Consecutive MRZ-shaped lines
are grouped and a document is emitted as soon as they form TD1 (3 × 30),
TD2 (2 × 36) or TD3 (2 × 44). A partial group is dropped, and counted,
when another line breaks it or after half a second of silence — a reader
sends a whole zone in one burst, so a lone line means a lost one.
"""

from __future__ import annotations

import time
from typing import Any

from drivers.base import SerialDriver
from drivers.framing import DropCallback, LineFramer, decode_ascii
from drivers.validation.mrz import looks_like_mrz_line, mrz_format, parse_mrz

#: silence after which a partial MRZ is given up (seconds)
GROUP_TIMEOUT = 0.5
#: what a reader may put around a zone or a line: the C0 controls (CR and LF end lines first) and DEL
FRAMING_BYTES = bytes([*range(0x20), 0x7F])


def unframe(line: bytes) -> bytes:
    """``line`` without the control characters around it (STX, ETX, a reader's start/end-of-document bytes)."""
    return line.strip(FRAMING_BYTES)


class MrzGrouper:
    """Incremental grouping of MRZ lines into documents; pure (time is passed in)."""

    def __init__(self, on_drop: DropCallback, timeout: float = GROUP_TIMEOUT) -> None:
        self.timeout = timeout
        self._on_drop = on_drop
        self._lines: list[str] = []
        self._last = 0.0

    @property
    def pending(self) -> list[str]:
        """The lines of a document not yet complete."""
        return list(self._lines)

    def feed(self, line: str, now: float) -> list[str] | None:
        """Take one line (without its ending) read at ``now`` (monotonic).

        Returns the document's lines when this line completes one. A line
        of another shape, or of another length than the group's, ends the
        partial group (dropped); an MRZ line then starts a new one.
        """
        self.expire(now)
        if not looks_like_mrz_line(line):
            self.interrupt()
            return None
        if self._lines and len(line) != len(self._lines[0]):
            self.interrupt()
        self._lines.append(line)
        self._last = now
        if mrz_format(self._lines) is None:
            return None
        lines, self._lines = self._lines, []
        return lines

    def expire(self, now: float) -> None:
        """Drop a partial group that has waited ``timeout`` seconds."""
        if self._lines and now - self._last >= self.timeout:
            self._abandon("incomplete MRZ: timed out")

    def interrupt(self) -> None:
        """Something else arrived: a partial group can no longer complete."""
        if self._lines:
            self._abandon("incomplete MRZ: interrupted")

    def clear(self) -> None:
        self._lines = []

    def _abandon(self, reason: str) -> None:
        lines, self._lines = self._lines, []
        self._on_drop(reason, "\r\n".join(lines).encode("ascii"))


class MrzDocumentReader(SerialDriver):
    """A document reader (passport/ID-card OCR) that sends MRZ lines."""

    kind = "document"
    name = "mrz-reader"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framer = LineFramer(self.drop, max_length=256)
        self._grouper = MrzGrouper(self.drop)

    def on_open(self) -> None:
        self._framer.clear()
        self._grouper.clear()

    def handle_bytes(self, data: bytes) -> None:
        now = time.monotonic()
        for line in self._framer.feed(data):
            bare = unframe(line)
            if not bare:
                continue  # only framing (the <ETX><EODn> after a zone's last line)
            text = (decode_ascii(bare) or "").strip()
            lines = self._grouper.feed(text, now)
            if not looks_like_mrz_line(text):
                self.drop("not an MRZ line", line)
            elif lines is not None:
                self.emit_reading({"mrz": parse_mrz(lines)}, "\r\n".join(lines).encode("ascii"))

    def on_idle(self) -> None:
        self._grouper.expire(time.monotonic())
