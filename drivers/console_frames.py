"""Whole frames for the raw console, cut from whatever a port's reads return.

A read returns what has arrived — half a line, or three — so showing reads
shows the wire's timing, not its messages. The technician wants one row per
message, with its own end bytes, the way the protocols in docs/protocols.md
frame them:

- a text line ends at CR, LF or CR LF (the pair stays one frame), or ETX;
  end bytes before any text (SMA's leading LF) begin the next frame;
- a frame that begins with STX (Toledo continuous, a DESKO MRZ block)
  runs to ETX or to the next STX, so a checksum after its CR stays with it;
- a binary frame (bytes outside text, or any frame of a protocol whose
  driver says it is binary: a Modbus answer) ends when the host next
  speaks or the line falls quiet.

Every frame is also cut when the host writes (an answer is over), when the
line falls quiet, and at ``max_length`` bytes. What goes out needs no cutting:
each write is one command.
"""

from __future__ import annotations

import threading
from typing import Callable

CR, LF, STX, ETX, TAB = 0x0D, 0x0A, 0x02, 0x03, 0x09
LINE_ENDS = frozenset({CR, LF})
#: control bytes that text protocols use around their lines (not a sign of binary data)
FRAMING = frozenset({CR, LF, TAB, STX, ETX, 0x04, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F})


class FrameSplitter:
    """Feed the incoming chunks; ``emit`` gets each whole frame. Thread-safe:
    the reader feeds it while a writer's thread may ``flush`` it."""

    def __init__(self, emit: Callable[[bytes], None], max_length: int = 1024, binary: bool = False) -> None:
        self._emit = emit
        self.max_length = max_length
        self.always_binary = binary  # the protocol says so: cut only when the host speaks or the line is quiet
        self._lock = threading.Lock()
        self._buffer = bytearray()
        self._held = False        # a line ended at CR: an LF right after it is part of it
        self._enveloped = False   # began with STX: runs to ETX or the next STX
        self._binary = binary
        self._text = False        # the frame holds more than leading end bytes

    def feed(self, data: bytes) -> None:
        with self._lock:
            for byte in data:
                self._take(byte)

    def flush(self) -> None:
        """The host speaks or the line is quiet: what has come in is a frame."""
        with self._lock:
            self._cut()

    def _cut(self) -> None:
        frame = bytes(self._buffer)
        self._buffer.clear()
        self._held = self._enveloped = self._text = False
        self._binary = self.always_binary
        if frame:
            self._emit(frame)

    def _take(self, byte: int) -> None:
        if self._held:
            self._held = False
            if byte == LF:
                self._buffer.append(byte)
                self._cut()
                return
            self._cut()
        if byte == STX and self._text and not self._binary:
            self._cut()  # STX begins a frame
        if byte == STX and not self._text and not self._binary:
            self._enveloped = True
        self._buffer.append(byte)
        if byte not in LINE_ENDS and byte != STX:
            self._text = True
        if byte >= 0x7F or (byte < 0x20 and byte not in FRAMING):
            self._binary = True
        if self._enveloped:
            if byte == ETX:
                self._cut()
        elif not self._binary and self._text:
            if byte == CR:
                self._held = True
            elif byte in (LF, ETX):
                self._cut()
        if len(self._buffer) >= self.max_length:
            self._cut()
