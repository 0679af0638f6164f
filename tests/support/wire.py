"""The host end of a serial line, with plain pyserial (no lanebox driver): how a
simulator's conformance test talks to it as the published protocol says a host does."""

from __future__ import annotations

import time

import serial

from tests.support.waiting import wait_for


class Wire:
    """Writes raw commands, reads answers up to ``end`` (e.g. CR LF)."""

    def __init__(self, path: str, end: bytes) -> None:
        self.port = serial.Serial(path, 9600, timeout=0.05)
        self.end = end
        self._buffer = b""

    def close(self) -> None:
        self.port.close()

    def write(self, data: bytes) -> None:
        self.port.write(data)

    def until_end(self, timeout: float = 5.0) -> bytes:
        """The next answer, without its end."""
        def complete() -> bool:
            self._buffer += self.port.read(self.port.in_waiting or 1)
            return self.end in self._buffer
        wait_for(complete, timeout, interval=0, message=f"an answer ending {self.end!r}")
        answer, self._buffer = self._buffer.split(self.end, 1)
        return answer

    def silent_for(self, seconds: float) -> bool:
        """True if nothing at all arrives for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._buffer or self.port.read(1):
                return False
        return True
