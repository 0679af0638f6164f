"""Run one simulator on a port with its demo script until told to stop —
what ``lanebox simulate`` and ``lanebox demo`` do for each device."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from pathlib import Path

from drivers.port_rules import HTTP
from drivers.registry import DEFAULT_DRIVER, lookup
from drivers.simulators.device import DeviceSimulator
from drivers.simulators.ports import PtyPort, TcpPort
from drivers.simulators.regula_web import HttpPort


@dataclass
class RunningSimulator:
    """A simulator, its port and its demo thread; ``stop()`` ends all three."""

    simulator: DeviceSimulator
    port: PtyPort | TcpPort | HttpPort
    stop_event: threading.Event
    thread: threading.Thread | None

    @property
    def path(self) -> str:
        return self.port.path

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(2)
        self.port.close()


def make_simulator(kind: str, driver: str | None = None) -> DeviceSimulator:
    """A simulator object for ``kind`` speaking ``driver`` (the kind's default if None)."""
    entry = lookup(driver or DEFAULT_DRIVER[kind])
    if entry.kind != kind:
        raise ValueError(f"driver {entry.name!r} is for a {entry.kind}, not a {kind}")
    return entry.simulator_class()()


def start_simulator(kind: str, driver: str | None = None, *, tcp_port: int | None = None,
                    link: Path | None = None, demo: bool = True, seed: int | None = None,
                    pace: float = 1.0) -> RunningSimulator:
    """Start a simulator on a pty (or on 127.0.0.1:``tcp_port``), demo script running; a
    device reached over HTTP (a full-page reader's service) always serves HTTP on 127.0.0.1."""
    simulator = make_simulator(kind, driver)
    port: PtyPort | TcpPort | HttpPort
    if lookup(driver or DEFAULT_DRIVER[kind]).transport == HTTP:
        port = HttpPort(simulator, port=tcp_port or 0)  # type: ignore[arg-type]
    else:
        port = TcpPort(simulator, port=tcp_port) if tcp_port is not None else PtyPort(simulator, link=link)
    port.start()
    stop_event = threading.Event()
    thread = None
    if demo:
        rng = random.Random(seed)
        thread = threading.Thread(target=simulator.run_demo, args=(stop_event, rng, pace),  # type: ignore[attr-defined]
                                  name=f"demo-{kind}", daemon=True)
        thread.start()
    return RunningSimulator(simulator, port, stop_event, thread)
