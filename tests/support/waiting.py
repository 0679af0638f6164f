"""Waiting for something to become true, with a deadline — never a bare sleep."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.01,
             message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``. The default
    deadline is generous: with the suite's four workers on two cores a step can take seconds, and a
    deadline is only reached when something is wrong (a test that claims "within N s" says so)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


class Recorder:
    """Collects a driver's readings and status changes, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.readings: list[tuple[dict, bytes]] = []
        self.statuses: list[tuple[str, str]] = []

    def on_reading(self, data: dict, raw: bytes) -> None:
        with self.lock:
            self.readings.append((data, raw))

    def on_status(self, state: str, detail: str) -> None:
        with self.lock:
            self.statuses.append((state, detail))

    def data(self) -> list[dict]:
        with self.lock:
            return [d for d, _ in self.readings]

    def states(self) -> list[str]:
        with self.lock:
            return [s for s, _ in self.statuses]
