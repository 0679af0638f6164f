"""The device side of a simulator: protocol behaviour, no transport.

A simulator object is what a test drives directly (``sim.set_weight(...)``,
``sim.scan(...)``); a port (:mod:`drivers.simulators.ports`) carries its
bytes over a pseudo-terminal or a TCP socket, exactly as a real device's
would travel over RS-232 or a terminal server.
"""

from __future__ import annotations

import threading
from typing import Callable

Sink = Callable[[bytes], None]


class DeviceSimulator:
    """Base of every simulator: bytes in from the host, bytes out to it.

    ``tick_interval`` (seconds), when set, makes the port call :meth:`tick`
    periodically — how streaming devices (continuous-output scales, SIR)
    send without being asked.
    """

    kind: str = ""
    driver: str = ""
    tick_interval: float | None = None

    def __init__(self) -> None:
        self._sinks: list[Sink] = []
        self.lock = threading.RLock()
        self.received = bytearray()  # everything the host sent, for tests

    def attach(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def detach(self, sink: Sink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def send(self, data: bytes) -> None:
        """Put bytes on the wire towards the host."""
        for sink in list(self._sinks):
            sink(data)

    def receive(self, data: bytes) -> None:
        """Bytes from the host. Devices that take no commands ignore them."""
        with self.lock:
            self.received.extend(data)

    def tick(self) -> None:
        """Called every ``tick_interval`` seconds by the port."""


class LineCommandSimulator(DeviceSimulator):
    """A device that takes CR/LF-ended text commands and answers each."""

    line_ending = b"\r\n"

    def __init__(self) -> None:
        super().__init__()
        self._line = bytearray()

    def receive(self, data: bytes) -> None:
        super().receive(data)
        with self.lock:
            for byte in data:
                if byte in (0x0D, 0x0A):
                    if self._line:
                        command = self._line.decode("ascii", "replace")
                        self._line.clear()
                        self.handle_command(command)
                elif len(self._line) < 1024:
                    self._line.append(byte)

    def send_line(self, text: str) -> None:
        self.send(text.encode("ascii") + self.line_ending)

    def handle_command(self, command: str) -> None:
        """Answer one command line (without its ending)."""
