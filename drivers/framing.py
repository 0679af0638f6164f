"""Splitting a byte stream into lines, with a bound on what we keep.

Devices end records with CR, LF or CRLF depending on how they were set up;
we accept all three (a framer may be given other end bytes, e.g. ETX for
a stream whose frames start with CR). A line that grows past ``max_length`` without an end
is garbage (or a baud-rate mismatch): it is dropped whole, including the
part that arrives after the bound, so its tail is never taken as a frame.
"""

from __future__ import annotations

from typing import Callable, Iterator

DropCallback = Callable[[str, bytes], None]


class LineFramer:
    """Incremental CR/LF/CRLF line splitter with a bounded buffer."""

    def __init__(self, on_drop: DropCallback, max_length: int = 512, ends: bytes = b"\r\n") -> None:
        self.max_length = max_length
        self._ends = frozenset(ends)
        self._on_drop = on_drop
        self._buffer = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield every complete, non-empty line in ``data`` (without its end)."""
        start = 0
        for index, byte in enumerate(data):
            if byte not in self._ends:
                continue
            self._append(data[start:index])
            start = index + 1
            if self._discarding:
                self._discarding = False
                continue
            if self._buffer:
                line = bytes(self._buffer)
                self._buffer.clear()
                yield line
        self._append(data[start:])

    def pending(self) -> bytes:
        """What has arrived of a line not yet ended."""
        return bytes(self._buffer)

    def clear(self) -> None:
        self._buffer.clear()
        self._discarding = False

    def _append(self, chunk: bytes) -> None:
        if self._discarding or not chunk:
            return
        self._buffer.extend(chunk)
        if len(self._buffer) > self.max_length:
            self._on_drop("line too long", bytes(self._buffer[:80]))
            self._buffer.clear()
            self._discarding = True


def decode_ascii(line: bytes) -> str | None:
    """The line as printable ASCII text, or None if it holds anything else."""
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        return None
    if any(not (0x20 <= ord(ch) < 0x7F) for ch in text):
        return None
    return text
