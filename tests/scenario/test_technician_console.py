"""The raw console on a running lane: technicians watch the wire, others are refused."""

from __future__ import annotations

import threading

import pytest
import socketio

from tests.support.waiting import wait_for


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


def test_technician_watches_a_scale_and_sees_a_command_and_its_answer(lane) -> None:
    console = Console(lane.url, lane.token("tom"))
    try:
        assert console.client.call("watch", {"device_id": "scale-1"}, namespace="/console")["ok"] is True
        wait_for(lambda: "S S" in console.seen("in") or "S D" in console.seen("in"), timeout=10,
                 message="weight lines on the console")
        response = lane.api("POST", "/devices/scale-1/command", user="tom", json={"command": "I3"})
        assert response.status_code == 200
        wait_for(lambda: "I3<CR><LF>" in console.seen("out"), message="the command going out")
        wait_for(lambda: 'I3 A "1.2.0"' in console.seen("in"), message="its answer coming in")
        chunk = console.chunks[-1]
        assert set(chunk) == {"device_id", "dir", "ts", "hex", "text"} and chunk["ts"].endswith("Z")
        assert console.client.call("watch", {"device_id": "nope"}, namespace="/console")["ok"] is False
    finally:
        console.client.disconnect()


@pytest.mark.parametrize("user", ["olga", "vic", None])
def test_officers_viewers_and_strangers_are_refused(lane, user) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        Console(lane.url, lane.token(user) if user else "not-a-token")
