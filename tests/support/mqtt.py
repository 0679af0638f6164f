"""A Mosquitto broker of the test's own: Debian's ``/usr/sbin/mosquitto`` on a
free 127.0.0.1 port with a config file in the test's folder (``make test``
installs it; without it the tests skip, or fail in CI, saying so)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import paho.mqtt.client as paho
import pytest

from tests.support.hub_workers import free_port
from tests.support.services import REQUIRED
from tests.support.waiting import wait_for

MOSQUITTO = "/usr/sbin/mosquitto"


def require_mosquitto() -> str:
    if not os.access(MOSQUITTO, os.X_OK):
        message = f"mosquitto at {MOSQUITTO} not installed (apt-get install mosquitto; `make test` does)"
        pytest.fail(message) if REQUIRED else pytest.skip(message)
    return MOSQUITTO


class Mosquitto:
    """One broker process; :meth:`restart` brings it back on the same port."""

    def __init__(self, folder: Path) -> None:
        self.binary = require_mosquitto()
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                               f"log_dest stderr\n", encoding="utf-8")
        self.log = folder / "mosquitto.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=log, stderr=log)
        wait_for(self._listening, timeout=10, message=f"mosquitto listening on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def _listening(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """Publish one message and wait until the broker has it (QoS 1)."""
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="lanebox-test-camera")
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        try:
            client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(timeout=10)
        finally:
            client.disconnect()
            client.loop_stop()
