"""The raw console over a real Socket.IO client against a real `lanebox serve`:
technicians see a device's bytes both ways; officers are refused."""

from __future__ import annotations

import threading

import socketio

from edge.realtime.console import printable


class Console:
    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.chunks: list[dict] = []
        self.client.on("traffic", self._traffic, namespace="/console")
        self.client.connect(url, namespaces=["/console"], auth={"token": token}, transports=["websocket"],
                            wait_timeout=10)

    def _traffic(self, data: dict) -> None:
        with self.lock:
            self.chunks.append(data)

    def seen(self, direction: str) -> str:
        with self.lock:
            return "".join(c["text"] for c in self.chunks if c["dir"] == direction)


def test_printable_names_control_bytes() -> None:
    assert printable(b"S S     100 kg\r\n") == "S S     100 kg<CR><LF>"
    assert printable(b"\x02\x1b\xff") == "<STX><1B><FF>"


