"""The port of an HTTP device (a full-page reader's local REST service): http://HOST:PORT to a terminal-server
host, for an HTTP driver only — in the lane's policy, in the driver layer's last line and in the lane's config."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.config import ConfigError
from drivers.port_rules import HTTP, PortPolicy, PortRefused, check_openable, http_host
from drivers.registry import DRIVERS
from edge.config import parse_device

POLICY = PortPolicy(network_hosts=frozenset({"10.0.5.21", "reader-pc.lane3", "fd00::21"}),
                    device_dir=Path("/srv/by-id"))


@pytest.mark.parametrize("port", ["http://10.0.5.21:8080", "http://READER-PC.lane3:80", "http://[fd00::21]:8080"])
def test_an_http_driver_takes_http_to_a_listed_host(port: str) -> None:
    POLICY.check(port, HTTP)
    check_openable(port, HTTP)


@pytest.mark.parametrize("port,words", [
    ("http://10.0.5.99:8080", "host 10.0.5.99 is not a terminal server"),
    ("http://127.0.0.1:8080", "host 127.0.0.1 is not a terminal server"),
    ("http://10.0.5.21:8080/api", "is not http://HOST:PORT"),
    ("http://10.0.5.21:8080/", "is not http://HOST:PORT"),
    ("http://10.0.5.21:8080?x=1", "is not http://HOST:PORT"),
    ("http://10.0.5.21:8080#x", "is not http://HOST:PORT"),
    ("http://user:pw@10.0.5.21:8080", "is not http://HOST:PORT"),
    ("http://10.0.5.99:80@10.0.5.21:8080", "is not http://HOST:PORT"),
    ("http://10.0.5.99\\@10.0.5.21:8080", "is not http://HOST:PORT"),
    ("http://10.0.5.21%2f@evil:8080", "is not http://HOST:PORT"),
    ("http://10.0.5.21:8080\n", "is not http://HOST:PORT"),
    ("http://10.0.5.21", "is not http://HOST:PORT"),
    ("http://10.0.5.21:0", "is not http://HOST:PORT"),
    ("http://10.0.5.21:99999", "is not http://HOST:PORT"),
    ("https://10.0.5.21:8443", "is not http://HOST:PORT"),
    ("HTTP://10.0.5.21:8080", "is not http://HOST:PORT"),
    ("socket://10.0.5.21:4001", "is not http://HOST:PORT"),
    ("/dev/ttyUSB0", "is not http://HOST:PORT"),
])
def test_an_http_driver_takes_nothing_else(port: str, words: str) -> None:
    with pytest.raises(PortRefused) as refused:
        POLICY.check(port, HTTP)
    assert words in str(refused.value)
    assert "[terminal_servers] hosts (10.0.5.21, fd00::21, reader-pc.lane3)" in str(refused.value)
    if "terminal server" not in words:
        with pytest.raises(PortRefused):
            check_openable(port, HTTP)


def test_a_serial_driver_never_takes_an_http_url() -> None:
    with pytest.raises(PortRefused, match=r"http:// is not allowed"):
        POLICY.check("http://10.0.5.21:8080")
    with pytest.raises(PortRefused, match=r"not a serial port"):
        check_openable("http://10.0.5.21:8080")


def test_the_host_is_read_as_the_http_library_reads_it() -> None:
    assert http_host("http://Reader-PC.lane3:8080") == "reader-pc.lane3"
    assert http_host("http://[FD00::21]:8080") == "fd00::21"


def test_only_the_http_driver_is_an_http_driver() -> None:
    assert [name for name, entry in DRIVERS.items() if entry.transport == HTTP] == ["regula-web"]


def device(driver: str, port: str) -> dict:
    return {"id": "doc-1", "kind": "document", "driver": driver, "port": port}


def test_the_lane_config_checks_a_port_by_its_driver() -> None:
    assert parse_device("lane.toml", "devices[0]", device("regula-web", "http://10.0.5.21:8080"), POLICY).port \
        == "http://10.0.5.21:8080"
    with pytest.raises(ConfigError, match=r"devices\[0\]\.port.*http:// is not allowed"):
        parse_device("lane.toml", "devices[0]", device("mrz-reader", "http://10.0.5.21:8080"), POLICY)
    with pytest.raises(ConfigError, match=r"devices\[0\]\.port.*is not http://HOST:PORT"):
        parse_device("lane.toml", "devices[0]", device("regula-web", "/dev/ttyUSB0"), POLICY)
    with pytest.raises(ConfigError, match=r"devices\[0\]\.port.*is not http://HOST:PORT"):
        parse_device("lane.toml", "devices[0]", device("regula-web", "http://10.0.5.21:8080/x"), None)
