"""A device past its calibration interval shows calibration_due; a passing
calibration brings it back; a failed one marks it again."""

from __future__ import annotations

import pytest

from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import PtyPort
from edge.app import LaneServer
from edge.config import parse_config
from tests.waiting import wait_for


@pytest.fixture
def server(tmp_path):
    port = PtyPort(EtdSimulator()).start()
    config = parse_config({"lane": {"id": "CAL-1"}, "server": {"data_dir": str(tmp_path)},
                           "devices": [{"id": "trace-1", "kind": "trace", "driver": "etd-ascii", "port": port.path,
                                        "calibration_interval_days": 1}]})
    lane = LaneServer(config)
    lane.start()
    yield lane
    lane.stop()
    port.close()


def test_overdue_failed_and_passed_calibrations_gate_the_device(server):
    state = server.devices.get("trace-1")
    wait_for(lambda: state.driver.state == "connected", message="trace detector connected")
    assert state.public_state == "calibration_due" and state.calibration["status"] == "due"

    server.store.append("calibration.recorded", {"device_id": "trace-1", "passed": True, "kind": "etd-daily"}, "tom")
    server.refresh_calibrations()
    assert state.public_state == "connected" and state.calibration["status"] == "ok"
    assert state.calibration["due_at"] and state.calibration["last"]["kind"] == "etd-daily"

    server.store.append("calibration.recorded", {"device_id": "trace-1", "passed": False, "kind": "etd-daily"}, "tom")
    server.refresh_calibrations()
    assert state.public_state == "calibration_due" and state.calibration["status"] == "failed"
    assert "calibration failed" in state.public_detail
