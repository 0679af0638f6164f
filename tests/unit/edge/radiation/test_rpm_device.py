"""A radiation portal monitor is a lane device like any other: the technician's
form offers its kind and driver, it is tried and added on a listed terminal
server (and refused on any other host, storing nothing), and its occupancy
reaches the lane's device manager as the reading docs/contract.md describes."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from drivers.simulators.ports import TcpPort
from drivers.simulators.rapiscan_lines import RapiscanSimulator
from tests.support.technician_bench import Bench, running_bench
from tests.support.waiting import wait_for

RPM = {"id": "rpm-1", "kind": "radiation", "driver": "rapiscan-lines"}


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    with running_bench(tmp_path, ("scale-1",)) as bench:
        yield bench


def test_the_form_offers_the_kind_and_an_rpm_on_a_terminal_server_reads_occupancies(bench: Bench) -> None:
    drivers = bench.ok("GET", "/drivers")["drivers"]
    assert {"name": "rapiscan-lines", "kind": "radiation"} in drivers
    sim = RapiscanSimulator(seed=5)
    with TcpPort(sim) as server:  # the monitor behind a terminal server on the listed host
        tried = bench.ok("POST", "/devices/test-connection", {**RPM, "port": server.path})
        assert tried["ok"] is True and tried["state"] == "connected"
        bench.ok("POST", "/devices", {**RPM, "port": server.path}, status=201)
        bench.connected("rpm-1")
        state = bench.server.devices.get("rpm-1")
        sim.drive_vehicle("norm", seconds=1.0, speed_kmh=7.0)
        reading = wait_for(lambda: next((m for m, _ in list(state.recent) if m["data"]["phase"] == "occupancy"), None),
                           message="the occupancy among the lane's recent readings")
        assert reading["kind"] == "radiation" and reading["data"]["gamma_alarm"] is True
        assert reading["data"]["speed_kmh"] == 7.0


def test_an_rpm_on_a_host_that_is_not_a_listed_terminal_server_is_refused(bench: Bench) -> None:
    events = bench.server.store.count()
    response = bench.call("POST", "/devices", json={**RPM, "port": "socket://10.255.0.1:4001"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "port"
    assert bench.server.store.count() == events
    assert bench.call("GET", "/devices/rpm-1").status_code == 404
