"""Which ports a device may be opened on: the lane's policy and the driver layer's last line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drivers.base import SerialSettings, open_port
from drivers.port_rules import PortPolicy, PortRefused, check_openable
from drivers.simulators.mt_sics import MtSicsSimulator
from drivers.simulators.ports import PtyPort

POLICY = PortPolicy(network_hosts=frozenset({"10.0.5.21", "scale-gw.lane3"}), device_dir=Path("/srv/by-id"))


@pytest.mark.parametrize("port", [
    "/dev/ttyS0", "/dev/ttyUSB0", "/dev/ttyACM1", "/dev/ttyAMA0", "/dev/rfcomm0", "/dev/pts/7",
    "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0",
    "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0",
    "/srv/by-id/usb-lanebox_sim_scale-1-if00",
    "socket://10.0.5.21:4001", "rfc2217://scale-gw.lane3:2217", "socket://SCALE-GW.lane3:4001",
])
def test_the_ports_a_lane_needs_are_allowed(port: str) -> None:
    POLICY.check(port)


@pytest.mark.parametrize("port,words", [
    ("spy:///dev/ttyUSB0?file=/srv/lanebox/lane.sqlite3", "spy:// is not allowed"),
    ("SPY://x?file=/tmp/x", "SPY:// is not allowed"),
    ("loop://", "loop:// is not allowed"),
    ("hwgrep://0403:6001", "hwgrep:// is not allowed"),
    ("alt:///dev/ttyUSB0?class=PosixPollSerial", "alt:// is not allowed"),
    ("cp2110://0001:004a:00", "cp2110:// is not allowed"),
    ("socket://10.0.5.99:22", "host 10.0.5.99 is not a terminal server"),
    ("socket://127.0.0.1:6379", "host 127.0.0.1 is not a terminal server"),
    ("socket://10.0.5.21:4001?logging=debug", "'?'"),
    ("rfc2217://10.0.5.21:2217#x", "'#'"),
    ("socket://10.0.5.21@evil.example:80", "is not socket://HOST:PORT"),
    ("socket://10.0.5.21", "is not socket://HOST:PORT"),
    ("socket://10.0.5.21:99999", "is not socket://HOST:PORT"),
    ("socket://10.0.5.21:4001/x", "is not socket://HOST:PORT"),
    ("/srv/lanebox/lane.sqlite3", "not a serial device path"),
    ("/dev/watchdog", "not a serial device path"),
    ("/dev/sda", "not a serial device path"),
    ("/dev/serial/by-id/../../sda", "not a serial device path"),
    ("/srv/by-id/../lane.sqlite3", "not a serial device path"),
    ("ttyUSB0", "not a serial device path"),
    ("/dev/ttyUSB0 ", "spaces"),
])
def test_anything_else_is_refused_naming_what_is_allowed(port: str, words: str) -> None:
    with pytest.raises(PortRefused) as refused:
        POLICY.check(port)
    assert words in str(refused.value)
    assert "[terminal_servers] hosts (10.0.5.21, scale-gw.lane3)" in str(refused.value)


def test_without_terminal_servers_no_network_port_is_allowed() -> None:
    with pytest.raises(PortRefused, match=r"none are configured"):
        PortPolicy().check("socket://10.0.5.21:4001")


def test_the_driver_layer_opens_no_spy_url_whatever_the_caller_checked(tmp_path: Path) -> None:
    evidence = tmp_path / "lane.sqlite3"
    evidence.write_bytes(b"SQLite format 3\x00 the lane's evidence")
    with PtyPort(MtSicsSimulator()) as port:
        for url in (f"spy://{port.path}?file={evidence}", f"alt://{port.path}?class=Serial",
                    f"SPY://{port.path}"):
            with pytest.raises(PortRefused):
                open_port(url, SerialSettings(), 0.1)
    assert evidence.read_bytes() == b"SQLite format 3\x00 the lane's evidence"


def test_the_driver_layer_opens_only_character_devices(tmp_path: Path) -> None:
    evidence = tmp_path / "lane.sqlite3"
    evidence.write_bytes(b"evidence")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (evidence, fifo, tmp_path):
        with pytest.raises(PortRefused, match="not a character device"):
            check_openable(str(path))
    check_openable(str(tmp_path / "unplugged"))  # missing: the open says so, as for an unplugged adapter
    with PtyPort(MtSicsSimulator()) as port:
        open_port(port.path, SerialSettings(), 0.1).close()
    assert evidence.read_bytes() == b"evidence"
