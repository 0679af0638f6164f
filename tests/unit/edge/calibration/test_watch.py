"""A device past its calibration interval shows calibration_due; a passing
calibration brings it back; a failed one marks it again; a trace detector
whose daily check is a day old is due whatever its interval."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from drivers.simulators.etd_ascii import EtdSimulator
from drivers.simulators.ports import PtyPort
from edge.config import parse_config
from edge.server import LaneServer
from tests.support.officer_app import ITEM
from tests.support.pdf_text import pdf_strings
from tests.support.technician_bench import running_bench
from tests.support.waiting import wait_for


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
    server.calibration_watch.refresh()
    assert state.public_state == "connected" and state.calibration["status"] == "ok"
    assert state.calibration["due_at"] and state.calibration["last"]["kind"] == "etd-daily"

    server.store.append("calibration.recorded", {"device_id": "trace-1", "passed": False, "kind": "etd-daily"}, "tom")
    server.calibration_watch.refresh()
    assert state.public_state == "calibration_due" and state.calibration["status"] == "failed"
    assert "daily verification failed" in state.public_detail


@pytest.fixture
def bench(tmp_path):
    """A lane whose clock the test moves; the detector's interval (30 days) is far longer than a day."""
    with running_bench(tmp_path, ("scale-1", "trace-1")) as bench:
        yield bench


def test_a_missed_day_marks_the_trace_detector_due_and_what_it_reads_then(bench):
    etd = bench.sims["trace-1"]
    check = bench.run_check({"device_id": "trace-1", "trap_lot": "VT-2026-117", "expected_substance": "RDX"},
                            lambda step: etd.verify("VT-2026-117", "RDX" if step == 0 else None))
    due_at = check["event"]["payload"]["due_at"]
    assert check["session"]["passed"] is True and bench.ok("GET", "/devices/trace-1")["state"] == "connected"
    entry = bench.ok("GET", "/devices/trace-1/calibrations")["history"][0]
    assert entry["params"] == {"trap_lot": "VT-2026-117", "expected_substance": "RDX"} and entry["certificate"]

    bench.clock.advance(timedelta(hours=23, minutes=59))  # the next morning, before the day is out
    bench.server.calibration_watch.refresh()
    assert bench.ok("GET", "/devices/trace-1")["calibration"]["status"] == "ok"

    bench.clock.advance(timedelta(minutes=2))  # the day has gone by without a daily check
    bench.server.calibration_watch.refresh()
    device = bench.ok("GET", "/devices/trace-1")
    assert device["state"] == "calibration_due" and device["calibration"]["status"] == "due"
    assert device["calibration"]["due_at"] == due_at
    assert device["detail"] == f"daily verification overdue since {due_at[:10]} {due_at[11:16]} UTC"

    inspection_id = bench.inspection()
    sample = etd.swab([])
    attached = bench.attach("trace-1", inspection_id, lambda data: data.get("sample_id") == sample)
    assert attached["payload"]["calibration_due"] is True
    view = bench.ok("GET", f"/inspections/{inspection_id}", user="olga")
    assert view["traces"][0]["calibration_due"] is True


def test_the_seizure_report_marks_the_readings_taken_while_calibration_was_due(bench):
    """The scale is in calibration; the detector has had no daily check (due): the report says which is which."""
    bench.server.store.append("calibration.recorded", {"device_id": "scale-1", "kind": "scale-r76", "passed": True},
                              "tom")
    bench.server.calibration_watch.refresh()
    entry = bench.ok("GET", "/devices/scale-1/calibrations")["history"][0]  # written without a session
    assert (entry["by"], entry["certificate"], entry["params"]) == ("tom", False, None)
    inspection_id = bench.inspection()
    bench.sims["scale-1"].set_load(24680, settle=True)
    weight = bench.attach("scale-1", inspection_id, lambda data: data.get("stable") and data["weight"] == 24680)
    sample = bench.sims["trace-1"].swab([("cocaine", 420.0)])
    trace = bench.attach("trace-1", inspection_id, lambda data: data.get("sample_id") == sample)
    assert (weight["payload"]["calibration_due"], trace["payload"]["calibration_due"]) == (False, True)
    bench.ok("POST", f"/inspections/{inspection_id}/outcome", {"id": str(uuid.uuid4()), "outcome": "seize"},
             status=201, user="olga")
    seizure_id = str(uuid.uuid4())
    bench.ok("POST", "/seizures", {"id": seizure_id, "inspection_id": inspection_id, "legal_basis": "s.139",
                                   "items": [ITEM]}, status=201, user="olga")

    report = bench.call("GET", f"/seizures/{seizure_id}/report.pdf", user="olga", headers={"X-Justification": "audit"})
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    shown = pdf_strings(report.data)
    table = shown[shown.index("Device readings attached"):]
    rows = {device: " ".join(table[table.index(device):table.index(device) + 6]) for device in ("scale-1", "trace-1")}
    assert "24,680 kg stable" in rows["scale-1"] and "in calibration" in rows["scale-1"]
    assert "CALIBRATION DUE" not in rows["scale-1"]
    assert "cocaine (420.0)" in rows["trace-1"] and "CALIBRATION DUE when read" in rows["trace-1"]
    assert "the device's calibration was overdue or had failed" in " ".join(table)
