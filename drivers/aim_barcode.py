"""``aim-barcode``: serial barcode scanners with AIM symbology identifiers.

One scan is one record ended by the reader's suffix — CR, LF or CRLF,
whichever it is set to — optionally led by the ISO/IEC 15424 identifier
(``]C1`` GS1-128, ``]Q1`` QR…). Records are never framed on a timeout.
The text is UTF-8 and may hold ``<GS>`` (0x1D) between GS1 fields, so
control characters are kept, not rejected.

A 2D code may hold a whole MRZ whose lines are separated by CR/LF: the
reader sends them as consecutive records, the first with the identifier.
Those are joined back into one scan (see :class:`MrzGrouper`).
"""

from __future__ import annotations

import time
from typing import Any

from drivers.base import SerialDriver
from drivers.framing import LineFramer
from drivers.mrz_reader import MrzGrouper
from drivers.validation.mrz import looks_like_mrz_line
from drivers.validation.scan import GS1_SYMBOLOGIES, classify_scan, split_aim_identifier

#: AIM codes of the 2D symbologies an MRZ is printed in: QR, Data Matrix, PDF417, Aztec
MRZ_CARRIER_CODES = frozenset("QdLz")
#: a 2D code may hold a few kilobytes; anything longer is line noise
MAX_RECORD = 4096


def parse_barcode_record(line: bytes) -> dict[str, Any] | None:
    """One record (without its suffix) as the barcode reading of docs/contract.md.

    Returns ``{"symbology", "text", "parsed"}``, or None when the record
    holds no scan: not UTF-8, or an identifier with nothing after it.
    Never raises.
    """
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    symbology, text = split_aim_identifier(decoded)
    if not text:
        return None
    return {"symbology": symbology, "text": text, "parsed": classify_scan(text, symbology)}


def starts_mrz(reading: dict[str, Any]) -> bool:
    """Could this record be the first MRZ line of a multi-line 2D code?

    Only from a 2D, non-GS1 symbology (or an unknown one), and only with a
    ``<`` filler: a 30- or 36-digit GS1-128 scan has an MRZ line's shape too.
    """
    symbology, text = reading["symbology"], reading["text"]
    if not looks_like_mrz_line(text) or "<" not in text:
        return False
    return symbology is None or (symbology[1] in MRZ_CARRIER_CODES and symbology not in GS1_SYMBOLOGIES)


class AimBarcodeReader(SerialDriver):
    """A barcode scanner on a serial line (or a terminal server)."""

    kind = "barcode"
    name = "aim-barcode"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._framer = LineFramer(self.drop, max_length=MAX_RECORD)
        self._mrz = MrzGrouper(self.drop)
        self._mrz_symbology: str | None = None

    def on_open(self) -> None:
        self._framer.clear()
        self._mrz.clear()

    def handle_bytes(self, data: bytes) -> None:
        now = time.monotonic()
        for line in self._framer.feed(data):
            reading = parse_barcode_record(line)
            if reading is None:
                self.drop("not a scan (not UTF-8, or empty)", line)
            elif self._mrz.pending and reading["symbology"] is None and looks_like_mrz_line(reading["text"]):
                self._continue_mrz(reading["text"], now)
            elif starts_mrz(reading):
                self._mrz.interrupt()
                self._mrz_symbology = reading["symbology"]
                self._continue_mrz(reading["text"], now)
            else:
                self._mrz.interrupt()
                self.emit_reading(reading, line)

    def on_idle(self) -> None:
        self._mrz.expire(time.monotonic())

    def _continue_mrz(self, text: str, now: float) -> None:
        lines = self._mrz.feed(text, now)
        if lines is None:
            return
        joined = "\n".join(lines)
        raw = ((self._mrz_symbology or "") + "\r\n".join(lines)).encode("ascii")
        self.emit_reading({"symbology": self._mrz_symbology, "text": joined,
                           "parsed": classify_scan(joined, self._mrz_symbology)}, raw)
