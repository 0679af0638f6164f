"""A device's port is a serial device or a terminal server the lane's config
lists, never another pyserial URL: not through test-connection, adding or
changing a device, nor a stored event replayed at start (issue 12, item 1)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator

import pytest

from drivers.port_rules import PortPolicy
from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import TcpPort
from edge.devices.setup import ADDED, replay_changes
from edge.store import lane_store_path
from tests.support.technician_bench import Bench, close_bench, make_bench

TRACE = {"id": "trace-9", "kind": "trace", "driver": "etd-ascii"}


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    bench = make_bench(tmp_path)
    try:
        yield bench.start()
    finally:
        close_bench(bench)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(bench: Bench, method: str, path: str, body: dict) -> str:
    """The 400 naming the port and what is allowed; its message."""
    response = bench.call(method, path, json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["field"] == "port" and "[terminal_servers] hosts (127.0.0.1)" in error["message"]
    return error["message"]


def test_a_spy_url_in_test_connection_writes_nothing(bench: Bench) -> None:
    store = lane_store_path(bench.root)
    canary = bench.root / "canary.txt"
    canary.write_text("must stay as it is")
    before, events = digest(store), bench.server.store.count()
    pty = bench.ports["barcode-1"].device_path
    for target in (store, canary):
        message = refused(bench, "POST", "/devices/test-connection",
                          {**TRACE, "port": f"spy://{pty}?file={target}"})
        assert "spy:// is not allowed" in message
    assert canary.read_text() == "must stay as it is"
    assert digest(store) == before and bench.server.store.count() == events
    assert bench.server.store.verify().ok


def test_a_network_port_reaches_only_the_listed_terminal_servers(bench: Bench) -> None:
    events = bench.server.store.count()
    for port in ("socket://10.255.0.1:22", "rfc2217://192.0.2.7:2217", "socket://127.0.0.1:4001?logging=debug",
                 "loop://", "/srv/lanebox/lane.sqlite3"):
        refused(bench, "POST", "/devices/test-connection", {**TRACE, "port": port})
        refused(bench, "POST", "/devices", {**TRACE, "port": port})
        refused(bench, "PUT", "/devices/trace-1", {"kind": "trace", "driver": "etd-ascii", "port": port})
    assert bench.server.store.count() == events  # nothing stored on a refusal
    assert bench.call("GET", "/devices/trace-9").status_code == 404
    assert bench.server.devices.get("trace-1").config.port == bench.ports["trace-1"].path

    with TcpPort(EtdSimulator()) as server:  # a terminal server on a listed host
        tried = bench.ok("POST", "/devices/test-connection", {**TRACE, "port": server.path})
        assert tried["ok"] is True
        bench.ok("POST", "/devices", {**TRACE, "port": server.path}, status=201)


def test_a_stored_device_whose_port_is_no_longer_allowed_is_not_opened() -> None:
    """An event from before the rule (or a terminal server since dropped from the
    config) is skipped at start; the lane starts without that device."""
    table = {**TRACE, "port": "socket://10.0.5.21:4001"}
    events = [{"seq": 1, "type": ADDED, "payload": {"device_id": "trace-9", "device": table}}]
    listed = PortPolicy(network_hosts=frozenset({"10.0.5.21"}))
    assert set(replay_changes({}, events, listed)) == {"trace-9"}
    assert replay_changes({}, events, PortPolicy()) == {}
    spy = [{"seq": 2, "type": ADDED, "payload": {"device_id": "trace-9",
                                                 "device": {**TRACE, "port": "spy:///dev/pts/0?file=/tmp/x"}}}]
    assert replay_changes({}, spy, None) == {}  # even where the lane's policy is not known
