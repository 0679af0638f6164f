"""A tablet as the lane sees it: a real python-socketio client on ``/live``."""

from __future__ import annotations

import threading

import socketio


class Tablet:
    """A real python-socketio client collecting what /live sends."""

    def __init__(self, url: str, token: str | None) -> None:
        self.client = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.readings: list[dict] = []
        self.statuses: list[dict] = []
        self.client.on("reading", self._reading, namespace="/live")
        self.client.on("device_status", self._status, namespace="/live")
        auth = {"token": token} if token is not None else None
        self.client.connect(url, namespaces=["/live"], auth=auth, transports=["websocket"], wait_timeout=10)

    def _reading(self, data: dict) -> None:
        with self.lock:
            self.readings.append(data)

    def _status(self, data: dict) -> None:
        with self.lock:
            self.statuses.append(data)

    def readings_of(self, device_id: str) -> list[dict]:
        with self.lock:
            return [r for r in self.readings if r["device_id"] == device_id]

    def states_of(self, device_id: str) -> list[str]:
        with self.lock:
            return [s["state"] for s in self.statuses if s["device_id"] == device_id]

    def close(self) -> None:
        self.client.disconnect()
