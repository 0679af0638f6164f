"""What every driver must do with its port, whatever the protocol: come up,
notice an unplug at once, come back by itself, and leak nothing.

These run the etd-ascii driver (the simplest protocol) against its
simulator on real pseudo-terminals and on a real TCP socket.
"""

from __future__ import annotations

import os
import threading

import pytest

from drivers.base import SerialSettings
from drivers.etd_ascii import EtdAsciiDetector
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import PtyPort, TcpPort
from tests.support.waiting import Recorder, wait_for


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def start_driver(path: str, recorder: Recorder, stop_later: list) -> EtdAsciiDetector:
    driver = EtdAsciiDetector(path, SerialSettings(), recorder.on_reading, recorder.on_status, device_id="etd-1")
    stop_later.append(driver)
    driver.start()
    return driver


@pytest.fixture
def pty_etd(tmp_path, stop_later):
    sim = EtdSimulator()
    port = PtyPort(sim, link=tmp_path / "by-id-etd").start()
    stop_later.append(port)
    return sim, port


def test_readings_arrive_on_a_pty(pty_etd, recorder, stop_later):
    sim, port = pty_etd
    driver = start_driver(port.path, recorder, stop_later)
    wait_for(lambda: driver.state == "connected", message="connected")
    assert driver.identity == {"model": "SIM-IMS-500", "serial": "ETD0001", "firmware": "2.4.1"}
    sim.swab([("RDX", 412.5)], sample_id="A1")
    data = wait_for(recorder.data, message="a reading")[0]
    assert data == {"result": "alarm", "sample_id": "A1",
                    "substances": [{"name": "RDX", "class": "explosive", "amplitude": 412.5, "k0": 1.46}]}


def test_garbage_is_counted_and_the_loop_goes_on(pty_etd, recorder, stop_later):
    sim, port = pty_etd
    driver = start_driver(port.path, recorder, stop_later)
    wait_for(lambda: driver.state == "connected", message="connected")
    sim.send(b"\x00\xff\xfe garbage\r\nRES X1 MAYBE\r\n" + b"A" * 5000 + b"\r\n\x80\x81\r\n")
    sim.swab([], sample_id="after")
    wait_for(lambda: any(d["sample_id"] == "after" for d in recorder.data()), message="reading after garbage")
    assert driver.counters.drops == 4
    assert driver.counters.drop_reasons["line too long"] == 1
    assert driver.state == "connected"


def test_unplug_and_replug_within_two_seconds(pty_etd, recorder, stop_later):
    sim, port = pty_etd
    driver = start_driver(port.path, recorder, stop_later)
    wait_for(lambda: driver.state == "connected", message="connected")

    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected within 2 s")
    assert recorder.states()[-1] == "disconnected"

    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=2.0, message="connected within 2 s of return")
    sim.swab([], sample_id="back")
    wait_for(lambda: any(d["sample_id"] == "back" for d in recorder.data()), timeout=2.0,
             message="readings again after return")
    assert driver.counters.reconnects == 1


def test_no_fd_or_thread_growth_over_50_unplug_cycles(pty_etd, recorder, stop_later):
    sim, port = pty_etd
    driver = start_driver(port.path, recorder, stop_later)
    wait_for(lambda: driver.state == "connected", message="connected")
    # settle: one cycle first so lazily created objects exist before counting
    port.unplug()
    wait_for(lambda: driver.state == "disconnected", timeout=2.0)
    port.replug()
    wait_for(lambda: driver.state == "connected", timeout=2.0)
    fds, threads = open_fds(), set(threading.enumerate())

    for cycle in range(50):
        port.unplug()
        wait_for(lambda: driver.state == "disconnected", timeout=2.0, message=f"disconnect {cycle}")
        port.replug()
        wait_for(lambda: driver.state == "connected", timeout=2.0, message=f"reconnect {cycle}")

    assert open_fds() == fds
    # threads of earlier tests may end meanwhile; none may have been added
    assert set(threading.enumerate()) - threads == set()
    assert driver.counters.reconnects == 51


def test_socket_url_to_a_terminal_server(recorder, stop_later):
    sim = EtdSimulator()
    server = TcpPort(sim).start()
    stop_later.append(server)
    driver = start_driver(server.path, recorder, stop_later)
    wait_for(lambda: driver.state == "connected", message="connected over socket://")
    sim.swab([("cocaine", 220.0)], sample_id="T1")
    wait_for(lambda: any(d["sample_id"] == "T1" for d in recorder.data()), message="reading over TCP")

    server.unplug()  # the terminal server goes away: EOF on the socket
    wait_for(lambda: driver.state == "disconnected", timeout=2.0, message="disconnected on EOF")
    server.replug()
    wait_for(lambda: driver.state == "connected", timeout=2.0, message="reconnected over TCP")


def test_a_missing_port_is_retried_until_it_appears(tmp_path, recorder, stop_later):
    link = tmp_path / "later"
    driver = start_driver(str(link), recorder, stop_later)
    wait_for(lambda: "cannot open" in driver.state_detail, message="a failed open")
    assert driver.state == "disconnected"
    sim = EtdSimulator()
    port = PtyPort(sim, link=link).start()
    stop_later.append(port)
    wait_for(lambda: driver.state == "connected", timeout=2.0, message="connected once the port exists")


def test_stop_closes_the_port_and_ends_the_thread(pty_etd, recorder):
    sim, port = pty_etd
    fds = open_fds()
    driver = EtdAsciiDetector(port.path, on_reading=recorder.on_reading, on_status=recorder.on_status)
    driver.start()
    wait_for(lambda: driver.state == "connected", message="connected")
    driver.stop()
    assert not driver.running
    assert driver.state == "disconnected"
    assert open_fds() == fds
