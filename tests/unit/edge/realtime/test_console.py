"""The raw console's pieces: bytes in words, and a driver's traffic told a whole frame at a time."""

from __future__ import annotations

import threading

from drivers.mt_sics import MtSicsScale
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort
from edge.realtime.console import printable
from tests.support.waiting import wait_for


def test_printable_names_control_bytes() -> None:
    assert printable(b"S S     100 kg\r\n") == "S S     100 kg<CR><LF>"
    assert printable(b"\x02\x1b\xff") == "<STX><1B><FF>"




def test_a_watched_scale_shows_whole_lines_and_a_command_with_its_answer() -> None:
    """Through a real driver and its simulator on a pty: every frame in is one whole MT-SICS line with its
    CR LF (never a read's half line), the command goes out whole, and its answer is a frame of its own."""
    sim = MtSicsSimulator()
    port = PtyPort(sim).start()
    driver = MtSicsScale(port.path, device_id="scale-1")
    seen: list[tuple[str, bytes]] = []
    lock = threading.Lock()

    def listen(direction: str, frame: bytes) -> None:
        with lock:
            seen.append((direction, frame))

    try:
        driver.start()
        wait_for(lambda: driver.state == "connected", message="connected")
        driver.add_traffic_listener(listen)
        wait_for(lambda: sum(d == "in" for d, _ in seen) >= 20, message="weight lines")
        assert driver.send_command("I3") == 'I3 A "1.2.0"'
        wait_for(lambda: ("in", b'I3 A "1.2.0"\r\n') in seen, message="the answer as a frame")
        with lock:
            frames = list(seen)
        assert ("out", b"I3\r\n") in frames
        incoming = [frame for direction, frame in frames if direction == "in"]
        assert all(f.endswith(b"\r\n") and f.count(b"\r\n") == 1 for f in incoming), incoming[:5]
        driver.remove_traffic_listener(listen)
        count = len(seen)
        wait_for(lambda: driver.counters.frames > 40, message="more weight lines")
        assert len(seen) == count  # nobody listens: nothing is cut or told
    finally:
        driver.stop()
        port.close()
